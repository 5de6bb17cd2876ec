import { Command } from "commander";
import { commands } from "./commands.js";

/**
 * Builds the `longbow` command line. Each command lives in its own module under
 * `cli/commands/` and is listed in `commands.ts`; this file only wires them.
 */
export function buildProgram(): Command {
  const program = new Command("longbow")
    .description("Move objects between S3 endpoints that share no credentials (AWS global <-> AWS China).")
    .showHelpAfterError()
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

export async function main(argv: string[] = process.argv): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    const code = (err as { code?: string; exitCode?: number }).code;
    if (typeof code === "string" && code.startsWith("commander.")) {
      // help and version exit 0; usage errors exit 2 (commander already printed the message)
      return code === "commander.helpDisplayed" || code === "commander.version" ? 0 : 2;
    }
    process.stderr.write(`longbow: ${(err as Error).message}\n`);
    return 1;
  }
}
