import { ClientSet, localBackends, migrationClients } from "../../backends/index.js";
import { createLogger } from "../../log/index.js";
import { buildReport, renderReportJson, renderReportMarkdown } from "../../report/index.js";
import { Runner } from "../../runner/index.js";
import { abortOrphanUploads, sendMigration } from "../../send/index.js";
import { resolveSettings } from "../../settings/index.js";
import type { RegisterCommand } from "../commands.js";
import { interruptedExit, withExitCodes } from "../exit-codes.js";
import { commandLine, renderInterruptSummary } from "./interrupt-summary.js";
import { chooseMigrations, fileOf, loadValidMigrations } from "./load-valid.js";
import { countsOf, MigrateProgress } from "./migrate-progress.js";
import {
  type CopyingFlags,
  copyingOptions,
  type MigrationsDirFlags,
  migrationsDirOption,
} from "./shared-options.js";

interface MigrateFlags extends CopyingFlags, MigrationsDirFlags {
  migration?: string;
  state: string;
  json?: boolean;
  progress?: boolean;
}

/** Exit code when nothing failed but some objects were skipped (source changed or vanished mid-copy). */
const skippedExit = 3;

/**
 * `longbow migrate`: local mode in one process. Validates the migration files, compares and
 * queues into an embedded SQLite queue and ledger in `--state`, copies with the same runner
 * as the cluster, shows progress, and prints the report. After Ctrl-C (or a crash) the same
 * command resumes: finished objects compare identical, pending ones are not queued twice,
 * and unfinished multipart uploads keep their parts.
 */
export const registerMigrate: RegisterCommand = (program) => {
  const cmd = program
    .command("migrate")
    .description("copy migrations from this machine (local mode: SQLite queue and ledger, resumable)")
    .addOption(migrationsDirOption)
    .option(
      "--migration <name>",
      "migrate only this migration, even when disabled (default: every enabled one)",
    )
    .option("--state <dir>", "folder of the local queue and ledger", ".longbow")
    .option("--json", "print the final report as JSON instead of Markdown");
  copyingOptions(cmd)
    .option("--no-progress", "no progress bar or progress lines")
    .action(async (flags: MigrateFlags) => {
      process.exitCode = await runMigrate(flags);
    });
  withExitCodes(cmd, "migrate");
};

async function runMigrate(flags: MigrateFlags): Promise<number> {
  const settings = resolveSettings(process.env, {
    filesInParallel: flags.filesInParallel,
    partsInParallel: flags.partsInParallel,
    maxAttempts: flags.maxAttempts,
  });
  const tty = process.stderr.isTTY === true && flags.progress !== false;
  // On a terminal log lines go through process.stderr, so that the bar moves below them;
  // only warnings unless asked, since a bar is what a person watches.
  const level = tty && process.env.LONGBOW_LOG_LEVEL === undefined ? "warn" : settings.logLevel;
  const logger = createLogger({ level, ...(tty ? { destination: process.stderr } : {}) });
  const loaded = await loadValidMigrations(flags.dir, "migrate");
  if (loaded === undefined) return 1;
  const all = loaded.map((l) => l.migration);
  const chosen = chooseMigrations(all, flags.migration, flags.dir, "migrate");
  if (chosen.length === 0) return 0;
  const backends = localBackends(flags.state, settings, Number.POSITIVE_INFINITY);
  const clients = new ClientSet(migrationClients(settings, { logger }));
  const abort = new AbortController();
  let runner: Runner | undefined;
  const onSignal = () => {
    abort.abort();
    void runner?.stop({ abort: true });
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  let progress: MigrateProgress | undefined;
  try {
    // This process is the state folder's only user: jobs a killed run held are free again.
    const recovered = await backends.queue.releaseInFlight();
    if (recovered > 0) logger.info({ recovered }, "jobs of an interrupted run released");
    // The copy starts with the compare, not after it: the compare queues jobs in batches
    // as it lists, and a large bucket's listing (across the border, for the destination)
    // can take minutes. The progress reads the ledger's counters, as the report does, so
    // its totals grow with every batch queued and its last state agrees with the report.
    const names = chosen.map((m) => m.name);
    const counts = async () =>
      countsOf(
        (await buildReport({ ledger: backends.ledger, migrations: names, failureLimit: 0 })).migrations,
      );
    progress =
      flags.progress === false
        ? undefined
        : new MigrateProgress({
            counts,
            tty,
            ...(process.stdout.isTTY ? { alsoOn: [process.stdout] } : {}),
          });
    const shown = progress;
    const worker = new Runner({
      queue: backends.queue,
      ledger: backends.ledger,
      migrations: async () => all,
      clients: clients.get,
      settings,
      retryBaseDelaySeconds: 1,
      waitSeconds: 1,
      workerId: "local",
      logger,
      ...(shown ? { onProgress: (_job, e) => shown.onTransfer(e) } : {}),
    });
    runner = worker;
    let stoppedInFlight = 0;
    worker.on("job_interrupted", () => {
      stoppedInFlight++;
    });
    worker.start();
    try {
      for (const m of chosen) {
        if (abort.signal.aborted) break;
        const { source, destination } = await clients.get(m);
        const sent = await sendMigration({
          migration: m,
          source,
          destination,
          queue: backends.queue,
          ledger: backends.ledger,
          concurrency: settings.sendConcurrency,
          logger,
          signal: abort.signal,
          ...fileOf(loaded, m.name),
        });
        logger.info({ migration: m.name, sent: sent.sent, compared: sent.compared }, "compared");
      }
    } catch (err) {
      // A compare failed or was interrupted: stop copying too (what was queued stays for
      // the next run); an interruption still ends with the summary below.
      await worker.stop({ abort: true });
      if (!abort.signal.aborted) throw err;
    }
    if (!abort.signal.aborted) worker.finishWhenIdle();
    await worker.done();
    if (!abort.signal.aborted) {
      // Every object has its outcome: no unfinished upload of a done object is left behind.
      for (const m of chosen) {
        const { destination } = await clients.get(m);
        await abortOrphanUploads({ migration: m, destination, ledger: backends.ledger, logger });
      }
    }
    const report = await buildReport({
      ledger: backends.ledger,
      queue: backends.queue,
      migrations: chosen.map((m) => m.name),
    });
    if (abort.signal.aborted) {
      // One summary, in place of the bar: per-job details are at debug.
      progress?.clear();
      progress = undefined;
      if (flags.json) process.stdout.write(renderReportJson(report));
      const command = commandLine(process.argv.slice(2));
      process.stderr.write(renderInterruptSummary({ report, stoppedInFlight, command }));
      return interruptedExit;
    }
    await progress?.stop();
    progress = undefined;
    process.stdout.write(flags.json ? renderReportJson(report) : renderReportMarkdown(report));
    if (report.migrations.some((m) => m.objects.failed > 0)) return 1;
    if (report.migrations.some((m) => m.objects.skipped > 0)) return skippedExit;
    return 0;
  } finally {
    progress?.clear();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await clients.destroy();
    await backends.close();
  }
}
