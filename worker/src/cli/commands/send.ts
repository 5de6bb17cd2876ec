import { SSMClient } from "@aws-sdk/client-ssm";
import { ClientSet, migrationClients } from "../../backends/index.js";
import type { LoadedMigration, Migration } from "../../config/index.js";
import { createLogger } from "../../log/index.js";
import { loadPublishedMigrations } from "../../publish/index.js";
import { sendMigration } from "../../send/index.js";
import { resolveSettings } from "../../settings/index.js";
import type { RegisterCommand } from "../commands.js";
import { withExitCodes } from "../exit-codes.js";
import { wholeNumber } from "../flags.js";
import { type BackendFlags, openBackends } from "./backends.js";
import { chooseMigrations, fileOf, loadValidMigrations } from "./load-valid.js";
import {
  backendOptions,
  localStateHelp,
  type MigrationsDirFlags,
  migrationsDirOption,
} from "./shared-options.js";

interface SendFlags extends BackendFlags, MigrationsDirFlags {
  migrationsPath?: string;
  migration?: string;
  refuseWhenQueueNotEmpty?: boolean;
  parallelism?: number;
}

/**
 * `longbow send`: compares each enabled migration (or the one named) and queues a job for
 * every new or changed object; prints one JSON line per migration on stdout. Exit code 1
 * when a migration could not be sent (the others still are).
 */
export const registerSend: RegisterCommand = (program) => {
  const cmd = program
    .command("send")
    .description("compare migrations and queue a job for every new or changed object")
    .addOption(migrationsDirOption)
    .option(
      "--migrations-path <path>",
      "read the migrations published in SSM under this path instead of --dir",
    )
    .option("--migration <name>", "send only this migration");
  backendOptions(cmd, localStateHelp)
    .option(
      "--refuse-when-queue-not-empty",
      "do nothing while the queue still holds work (the original's behaviour)",
    )
    .option(
      "--parallelism <n>",
      "partitions listed at once by the compare (default: 16)",
      wholeNumber({ max: 1000 }),
    )
    .action(async (flags: SendFlags) => {
      const settings = resolveSettings(process.env);
      const logger = createLogger({ level: settings.logLevel });
      let migrations: Migration[];
      let loaded: LoadedMigration[] = [];
      if (flags.migrationsPath !== undefined) {
        const ssm = new SSMClient({});
        try {
          migrations = await loadPublishedMigrations(ssm, flags.migrationsPath);
        } finally {
          ssm.destroy(); // its kept-alive sockets would hold the process after the answer
        }
      } else {
        const valid = await loadValidMigrations(flags.dir, "send");
        if (valid === undefined) {
          process.exitCode = 1;
          return;
        }
        loaded = valid;
        migrations = valid.map((l) => l.migration);
      }
      const backends = openBackends(flags, process.env, settings, logger);
      const chosen = chooseMigrations(migrations, flags.migration, flags.migrationsPath ?? flags.dir, "send");
      const parallelism = flags.parallelism;
      const clients = new ClientSet(migrationClients(settings, { logger }));
      const abort = new AbortController();
      const onSignal = () => abort.abort();
      process.once("SIGINT", onSignal);
      process.once("SIGTERM", onSignal);
      try {
        for (const m of chosen) {
          try {
            const { source, destination } = await clients.get(m);
            const result = await sendMigration({
              migration: m,
              source,
              destination,
              queue: backends.queue,
              ledger: backends.ledger,
              refuseWhenQueueNotEmpty: flags.refuseWhenQueueNotEmpty ?? false,
              concurrency: settings.sendConcurrency,
              logger,
              signal: abort.signal,
              ...(parallelism === undefined ? {} : { parallelism }),
              ...fileOf(loaded, m.name),
            });
            process.stdout.write(`${JSON.stringify(result)}\n`);
          } catch (err) {
            const e = err as Error & { code?: string };
            logger.error({ migration: m.name, code: e.code, err: e.message }, "send failed");
            process.stdout.write(
              `${JSON.stringify({ migration: m.name, error: e.message, code: e.code })}\n`,
            );
            process.exitCode = 1;
            if (abort.signal.aborted) break;
          }
        }
      } finally {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
        await clients.destroy();
        await backends.close();
      }
    });
  withExitCodes(cmd, "send");
};
