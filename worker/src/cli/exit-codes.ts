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

/** A command's codes: 0 and 1 with what they mean for it, the usage error, then its own. */
function exits(ok: string, failed: string, ...own: ExitCode[]): readonly ExitCode[] {
  return [{ code: 0, meaning: ok }, { code: 1, meaning: failed }, usage, ...own];
}

/**
 * The exit codes of every command, as `--help` and the README list them. A command's code
 * constants live with the command; this table is what an operator reads.
 */
export const commandExitCodes: Readonly<Record<string, readonly ExitCode[]>> = {
  version: [{ code: 0, meaning: "version printed" }, usage],
  validate: exits("every migration file is valid (warnings allowed)", "a file has an error"),
  plan: exits(
    "every migration planned",
    "invalid migration files, or a migration's compare failed (the others are planned)",
  ),
  publish: exits(
    "published (or, with --dry-run, the changes printed)",
    "invalid migration files, a refused deletion, or a failed request",
  ),
  cp: exits(
    "copied, or already identical",
    "the copy failed (the message names the side, endpoint and bucket)",
    { code: 3, meaning: "the source object does not exist" },
    { code: 4, meaning: "the source changed during the copy" },
    { code: 5, meaning: "the source is archived (GLACIER, DEEP_ARCHIVE) and must be restored first" },
    {
      code: interruptedExit,
      meaning: "interrupted; the upload is kept: run the same command again to resume",
    },
  ),
  send: exits(
    "every migration compared and queued",
    "invalid migration files, or a migration could not be sent (the others are)",
  ),
  work: exits(
    "stopped after a drain (signal, Spot notice, or --exit-when-idle)",
    "the worker could not start or failed",
  ),
  migrate: exits(
    "every object copied or already identical",
    "some objects failed, or the migration files are invalid",
    {
      code: 3,
      meaning: "nothing failed, but some objects were skipped (source changed or vanished mid-copy)",
    },
    { code: interruptedExit, meaning: "interrupted; run the same command again to resume" },
  ),
  report: exits("report printed", "the ledger or queue could not be read", {
    code: 3,
    meaning: "no local state in the --state folder (nothing was created)",
  }),
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
