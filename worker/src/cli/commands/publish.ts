import { SSMClient } from "@aws-sdk/client-ssm";
import {
  defaultMigrationsPath,
  formatChange,
  maxRemovedShare,
  PublishDeletionsRefusedError,
  publishMigrations,
} from "../../publish/index.js";
import type { RegisterCommand } from "../commands.js";
import { withExitCodes } from "../exit-codes.js";
import { loadValidMigrations } from "./load-valid.js";
import { type MigrationsDirFlags, migrationsDirOption } from "./shared-options.js";

interface PublishFlags extends MigrationsDirFlags {
  path: string;
  dryRun?: boolean;
  allowDeletions?: boolean;
  region?: string;
}

/**
 * `longbow publish`: makes the SSM parameters under `--path` equal to the enabled
 * migrations and prints each change (`+` added, `~` changed, `-` removed). Removing every
 * published migration, or more than half of them, needs `--allow-deletions`.
 */
export const registerPublish: RegisterCommand = (program) => {
  const cmd = program
    .command("publish")
    .description("publish the enabled migrations to SSM Parameter Store (one parameter each)")
    .addOption(migrationsDirOption)
    .option("--path <path>", "SSM path of the parameters", defaultMigrationsPath)
    .option("--region <region>", "region of the parameters (default: the AWS SDK's region)")
    .option("--dry-run", "print the changes without writing")
    .option(
      "--allow-deletions",
      `allow removing every published migration, or more than ${maxRemovedShare * 100} % of them, at once`,
    )
    .action(async (flags: PublishFlags) => {
      const loaded = await loadValidMigrations(flags.dir, "publish");
      if (loaded === undefined) {
        process.exitCode = 1;
        return;
      }
      const ssm = new SSMClient(flags.region === undefined ? {} : { region: flags.region });
      const abort = new AbortController();
      process.once("SIGINT", () => abort.abort());
      let changes: Awaited<ReturnType<typeof publishMigrations>>;
      try {
        changes = await publishMigrations(
          loaded.map((l) => l.migration),
          ssm,
          {
            path: flags.path,
            dryRun: flags.dryRun ?? false,
            allowDeletions: flags.allowDeletions ?? false,
            signal: abort.signal,
          },
        );
      } catch (err) {
        if (!(err instanceof PublishDeletionsRefusedError)) throw err;
        for (const parameter of err.removed) process.stderr.write(`- ${parameter}\n`);
        process.stderr.write(`longbow publish: ${err.message}\n`);
        process.exitCode = 1;
        return;
      } finally {
        ssm.destroy(); // its kept-alive sockets would hold the process after the answer
      }
      for (const c of changes) if (c.kind !== "unchanged") process.stdout.write(`${formatChange(c)}\n`);
      const count = (k: string) => changes.filter((c) => c.kind === k).length;
      process.stderr.write(
        `longbow publish${flags.dryRun ? " (dry run)" : ""}: ${count("added")} added, ${count("changed")} changed, ` +
          `${count("removed")} removed, ${count("unchanged")} unchanged under ${flags.path}\n`,
      );
    });
  withExitCodes(cmd, "publish");
};
