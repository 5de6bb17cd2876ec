import type { Command } from "commander";

/** One exit code of a command and what it means to the caller. */
export interface ExitCode {
  readonly code: number;
  readonly meaning: string;
}

/** A usage error: an unknown flag, a bad flag value, a missing argument. Every command. */
export const usageExit = 2;

/** Ctrl-C (128 + SIGINT), as shells report it. */
export const interruptedExit = 130;

const usage: ExitCode = {
  code: usageExit,
  meaning: "usage error (unknown flag, bad value, missing argument)",
};

/**
 * The exit codes of every command, as `--help` and the README list them. A command's code
 * constants live with the command; this table is what an operator reads.
 */
export const commandExitCodes: Readonly<Record<string, readonly ExitCode[]>> = {
  version: [{ code: 0, meaning: "version printed" }, usage],
  validate: [
    { code: 0, meaning: "every migration file is valid (warnings allowed)" },
    { code: 1, meaning: "a file has an error" },
    usage,
  ],
  plan: [
    { code: 0, meaning: "every migration planned" },
    { code: 1, meaning: "invalid migration files, or a migration's compare failed (the others are planned)" },
    usage,
  ],
  publish: [
    { code: 0, meaning: "published (or, with --dry-run, the changes printed)" },
    { code: 1, meaning: "invalid migration files, a refused deletion, or a failed request" },
    usage,
  ],
  cp: [
    { code: 0, meaning: "copied, or already identical" },
    { code: 1, meaning: "the copy failed (the message names the side, endpoint and bucket)" },
    usage,
    { code: 3, meaning: "the source object does not exist" },
    { code: 4, meaning: "the source changed during the copy" },
    { code: 5, meaning: "the source is archived (GLACIER, DEEP_ARCHIVE) and must be restored first" },
    {
      code: interruptedExit,
      meaning: "interrupted; the upload is kept: run the same command again to resume",
    },
  ],
  send: [
    { code: 0, meaning: "every migration compared and queued" },
    { code: 1, meaning: "invalid migration files, or a migration could not be sent (the others are)" },
    usage,
  ],
  work: [
    { code: 0, meaning: "stopped after a drain (signal, Spot notice, or --exit-when-idle)" },
    { code: 1, meaning: "the worker could not start or failed" },
    usage,
  ],
  migrate: [
    { code: 0, meaning: "every object copied or already identical" },
    { code: 1, meaning: "some objects failed, or the migration files are invalid" },
    usage,
    {
      code: 3,
      meaning: "nothing failed, but some objects were skipped (source changed or vanished mid-copy)",
    },
    { code: interruptedExit, meaning: "interrupted; run the same command again to resume" },
  ],
  report: [
    { code: 0, meaning: "report printed" },
    { code: 1, meaning: "the ledger or queue could not be read" },
    usage,
    { code: 3, meaning: "no local state in the --state folder (nothing was created)" },
  ],
};

/** The "Exit codes:" block of a command's help. */
export function exitCodesHelp(codes: readonly ExitCode[]): string {
  const width = Math.max(...codes.map((c) => String(c.code).length));
  return `\nExit codes:\n${codes.map((c) => `  ${String(c.code).padStart(width)}  ${c.meaning}`).join("\n")}\n`;
}

/** Appends the exit codes of `name` to the help of `cmd`. */
export function withExitCodes(cmd: Command, name: keyof typeof commandExitCodes): Command {
  const codes = commandExitCodes[name];
  if (codes === undefined) throw new Error(`no exit codes listed for ${name}`);
  return cmd.addHelpText("after", exitCodesHelp(codes));
}
