import type { RegisterCommand } from "../commands.js";
import { withExitCodes } from "../exit-codes.js";
import { renderVersion } from "../version.js";

/** `longbow version [--json]`: the version, and with `--json` the Node version and platform too. */
export const registerVersion: RegisterCommand = (program) => {
  const cmd = program
    .command("version")
    .description("print the version (with --json: also the Node.js version and platform)")
    .option("--json", "print {longbow, node, platform, arch} as JSON")
    .action((flags: { json?: boolean }) => {
      process.stdout.write(renderVersion(flags.json === true));
    });
  withExitCodes(cmd, "version");
};
