import { Command } from "commander";
import { dropOutputToClosedPipes } from "./closed-output.js";
import { commands } from "./commands.js";
import { usageExit } from "./exit-codes.js";
import { UsageError } from "./usage-error.js";
import { asksOnlyVersion, longbowVersion, renderVersion } from "./version.js";

const versionFlags = "-V, --version";
const versionHelp = "print the version (longbow version --json adds the Node.js version)";

/**
 * Builds the `longbow` command line. Each command lives in its own module under
 * `cli/commands/` and is listed in `commands.ts`; this file only wires them.
 */
export function buildProgram(): Command {
  const program = new Command("longbow")
    .description("Move objects between S3 endpoints that share no credentials (AWS global <-> AWS China).")
    .version(longbowVersion, versionFlags, versionHelp)
    .showHelpAfterError("(add --help for usage, defaults and exit codes)")
    .exitOverride();
  for (const register of commands) register(program);
  // `longbow cp --version` answers too, as the program does.
  for (const sub of program.commands) sub.version(longbowVersion, versionFlags, versionHelp);
  return program;
}

/** Runs `longbow` with `argv` (node, script, arguments...) and resolves to its exit code. */
export async function main(argv: string[] = process.argv): Promise<number> {
  dropOutputToClosedPipes();
  const onlyVersion = asksOnlyVersion(argv.slice(2));
  if (onlyVersion !== undefined) {
    process.stdout.write(renderVersion(onlyVersion.json));
    return 0;
  }
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    const code = (err as { code?: string; exitCode?: number }).code;
    if (typeof code === "string" && code.startsWith("commander.")) {
      // help and version exit 0; usage errors exit 2 (commander already printed the message)
      return code === "commander.helpDisplayed" || code === "commander.version" || code === "commander.help"
        ? 0
        : usageExit;
    }
    const name = program.args[0] ?? "";
    process.stderr.write(`longbow${name === "" ? "" : ` ${name}`}: ${(err as Error).message}\n`);
    return err instanceof UsageError ? usageExit : 1;
  }
}
