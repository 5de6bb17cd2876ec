import { ClientSet, migrationClients } from "../../backends/index.js";
import { createLogger } from "../../log/index.js";
import { EmfMetrics } from "../../metrics/index.js";
import { defaultMigrationsPath } from "../../publish/index.js";
import { Runner, watchSpotInterruption } from "../../runner/index.js";
import { resolveSettings } from "../../settings/index.js";
import type { RegisterCommand } from "../commands.js";
import { withExitCodes } from "../exit-codes.js";
import { type BackendFlags, migrationSource, openBackends } from "./backends.js";
import { backendOptions, type CopyingFlags, copyingOptions, localStateHelp } from "./shared-options.js";

interface WorkFlags extends BackendFlags, CopyingFlags {
  migrationsDir?: string;
  migrationsPath?: string;
  spot?: boolean;
  imdsUrl?: string;
  metrics: boolean;
  exitWhenIdle?: boolean;
}

/**
 * `longbow work`: the worker. Pulls jobs from the queue until SIGTERM/SIGINT (or a Spot
 * interruption notice with `--spot`), then drains: running jobs get the stop deadline to
 * finish, the rest are released with their uploads left resumable, and it exits 0.
 * A second signal cuts the drain short.
 */
export const registerWork: RegisterCommand = (program) => {
  const cmd = program
    .command("work")
    .description("run a worker: copy the jobs of the queue until stopped")
    .option("--migrations-dir <dir>", "serve the migration files of this folder instead of the published set")
    .option("--migrations-path <path>", "SSM path of the published migrations (env LONGBOW_MIGRATIONS_PATH)");
  copyingOptions(backendOptions(cmd, localStateHelp))
    .option("--spot", "poll the EC2 metadata service for a Spot interruption notice and drain on one")
    .option("--imds-url <url>", "instance metadata service", "http://169.254.169.254")
    .option("--no-metrics", "do not write CloudWatch Embedded Metric Format lines to stdout")
    .option("--exit-when-idle", "stop once the queue holds no more work")
    .action(async (flags: WorkFlags) => {
      const settings = resolveSettings(process.env, {
        filesInParallel: flags.filesInParallel,
        partsInParallel: flags.partsInParallel,
        maxAttempts: flags.maxAttempts,
      });
      const logger = createLogger({ level: settings.logLevel });
      const backends = openBackends(flags, process.env, settings, logger);
      const migrations = await migrationSource(
        flags.migrationsDir,
        flags.migrationsPath ?? process.env.LONGBOW_MIGRATIONS_PATH ?? defaultMigrationsPath,
      );
      const { maxAttempts } = settings;
      const clients = new ClientSet(migrationClients(settings, { logger }));
      const runner = new Runner({
        queue: backends.queue,
        ledger: backends.ledger,
        ...(backends.bandwidth ? { bandwidth: backends.bandwidth } : {}),
        migrations,
        clients: clients.get,
        settings,
        stopWhenIdle: flags.exitWhenIdle ?? false,
        logger,
        ...(flags.metrics ? { metrics: new EmfMetrics() } : {}),
        // at trace, every part read and written is a timestamped line: where a copy spends its time
        ...(logger.isLevelEnabled("trace")
          ? {
              onProgress: (job, e) =>
                logger.trace(
                  { key: job.source.key, ...(job.range ? { range: job.range.index } : {}), ...e },
                  "transfer progress",
                ),
            }
          : {}),
      });
      let signals = 0;
      const onSignal = (name: string) => {
        signals++;
        logger.info({ signal: name, abort: signals > 1 }, signals > 1 ? "stopping now" : "draining");
        void runner.stop({ abort: signals > 1 });
      };
      const handlers = { SIGTERM: () => onSignal("SIGTERM"), SIGINT: () => onSignal("SIGINT") };
      process.on("SIGTERM", handlers.SIGTERM);
      process.on("SIGINT", handlers.SIGINT);
      const spot = flags.spot
        ? watchSpotInterruption({
            baseUrl: flags.imdsUrl,
            logger,
            onNotice: () => onSignal("spot-interruption"),
          })
        : undefined;
      logger.info(
        { mode: backends.mode, filesInParallel: settings.filesInParallel, maxAttempts },
        "worker started",
      );
      runner.start();
      await runner.done();
      spot?.stop();
      process.off("SIGTERM", handlers.SIGTERM);
      process.off("SIGINT", handlers.SIGINT);
      await clients.destroy();
      await backends.close();
      logger.info("worker stopped");
    });
  withExitCodes(cmd, "work");
};
