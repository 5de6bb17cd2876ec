import { SSMClient } from "@aws-sdk/client-ssm";
import { defaultMigrationsPath, formatChange, publishMigrations } from "../../publish/index.js";
import type { RegisterCommand } from "../commands.js";
import { loadValidMigrations } from "./load-valid.js";

interface PublishFlags {
  dir: string;
  path: string;
  dryRun?: boolean;
  region?: string;
}

/**
 * `longbow publish`: makes the SSM parameters under `--path` equal to the enabled
 * migrations and prints each change (`+` added, `~` changed, `-` removed).
 */
export const registerPublish: RegisterCommand = (program) => {
  program
    .command("publish")
    .description("publish the enabled migrations to SSM Parameter Store (one parameter each)")
    .option("--dir <dir>", "folder holding the migration files", "migrations")
    .option("--path <path>", "SSM path of the parameters", defaultMigrationsPath)
    .option("--region <region>", "region of the parameters (default: the AWS SDK's region)")
    .option("--dry-run", "print the changes without writing")
    .action(async (flags: PublishFlags) => {
      const loaded = await loadValidMigrations(flags.dir, "publish");
      if (loaded === undefined) {
        process.exitCode = 1;
        return;
      }
      const ssm = new SSMClient(flags.region === undefined ? {} : { region: flags.region });
      const abort = new AbortController();
      process.once("SIGINT", () => abort.abort());
      const changes = await publishMigrations(
        loaded.map((l) => l.migration),
        ssm,
        { path: flags.path, dryRun: flags.dryRun ?? false, signal: abort.signal },
      );
      for (const c of changes) if (c.kind !== "unchanged") process.stdout.write(`${formatChange(c)}\n`);
      const count = (k: string) => changes.filter((c) => c.kind === k).length;
      process.stderr.write(
        `longbow publish${flags.dryRun ? " (dry run)" : ""}: ${count("added")} added, ${count("changed")} changed, ` +
          `${count("removed")} removed, ${count("unchanged")} unchanged under ${flags.path}\n`,
      );
    });
};
