import { setMaxListeners } from "node:events";
import { resolveSettings } from "../../config/index.js";
import { createLogger } from "../../log/index.js";
import { buildReport, renderReportJson, renderReportMarkdown } from "../../report/index.js";
import { Runner } from "../../runner/index.js";
import { abortOrphanUploads, sendMigration } from "../../send/index.js";
import type { RegisterCommand } from "../commands.js";
import { clientFactory, localBackends, wholeFlag } from "./backends.js";
import { loadValidMigrations } from "./load-valid.js";
import { MigrateProgress } from "./migrate-progress.js";

interface MigrateFlags {
  dir: string;
  migration?: string;
  state: string;
  json?: boolean;
  filesInParallel?: string;
  partsInParallel?: string;
  maxAttempts: string;
  progress?: boolean;
}

/** Exit code after Ctrl-C (128 + SIGINT), as shells report it. */
const interruptedExit = 130;

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
  program
    .command("migrate")
    .description("copy migrations from this machine (local mode: SQLite queue and ledger, resumable)")
    .option("--dir <dir>", "folder holding the migration files", "migrations")
    .option("--migration <name>", "migrate only this migration (default: every enabled one)")
    .option("--state <dir>", "folder of the local queue and ledger", ".longbow")
    .option("--json", "print the final report as JSON instead of Markdown")
    .option("--files-in-parallel <n>", "objects copied at once (env LONGBOW_FILES_IN_PARALLEL)")
    .option("--parts-in-parallel <n>", "parts in flight per object (env LONGBOW_PARTS_IN_PARALLEL)")
    .option("--max-attempts <n>", "attempts per object before it is recorded failed", "5")
    .option("--no-progress", "no progress bar or progress lines")
    .action(async (flags: MigrateFlags) => {
      const settings = resolveSettings(process.env, {
        filesInParallel: wholeFlag("files-in-parallel", flags.filesInParallel),
        partsInParallel: wholeFlag("parts-in-parallel", flags.partsInParallel),
      });
      const maxAttempts = wholeFlag("max-attempts", flags.maxAttempts) ?? 5;
      const tty = process.stderr.isTTY === true && flags.progress !== false;
      // A live bar and log lines on one terminal garble each other: only warnings unless asked.
      const level = tty && process.env.LONGBOW_LOG_LEVEL === undefined ? "warn" : settings.logLevel;
      const logger = createLogger({ level });
      const loaded = await loadValidMigrations(flags.dir, "migrate");
      if (loaded === undefined) {
        process.exitCode = 1;
        return;
      }
      const all = loaded.map((l) => l.migration);
      const chosen = all.filter((m) =>
        flags.migration === undefined ? m.enabled : m.name === flags.migration,
      );
      if (flags.migration !== undefined && chosen.length === 0) {
        throw new Error(`no migration named '${flags.migration}' in ${flags.dir}`);
      }
      const backends = localBackends(flags.state, settings, Number.POSITIVE_INFINITY);
      const abort = new AbortController();
      // Every concurrent request of a send listens on this one signal.
      setMaxListeners(1000, abort.signal);
      let runner: Runner | undefined;
      const onSignal = () => {
        abort.abort();
        void runner?.stop({ abort: true });
      };
      process.on("SIGINT", onSignal);
      process.on("SIGTERM", onSignal);
      try {
        // This process is the state folder's only user: jobs a killed run held are free again.
        const recovered = await backends.queue.releaseInFlight();
        if (recovered > 0) logger.info({ recovered }, "jobs of an interrupted run released");
        const clients = clientFactory(settings, logger);
        // The copy starts with the compare, not after it: the compare queues jobs in batches
        // as it lists, and a large bucket's listing (across the border, for the destination)
        // can take minutes. Totals start with what an interrupted run left and grow with
        // every migration compared.
        const totals = { objects: 0, bytes: 0 };
        for (const m of chosen) {
          const s = await backends.ledger.summary(m.name, { failureLimit: 0 });
          totals.objects += s.counters.pending.objects;
          totals.bytes += s.counters.pending.bytes;
        }
        const progress =
          flags.progress === false
            ? undefined
            : new MigrateProgress({ objectsTotal: totals.objects, bytesTotal: totals.bytes, tty });
        const worker = new Runner({
          queue: backends.queue,
          ledger: backends.ledger,
          migrations: async () => all,
          clients,
          settings,
          maxAttempts,
          retryBaseDelaySeconds: 1,
          waitSeconds: 1,
          workerId: "local",
          logger,
          ...(progress ? { onProgress: (_job, e) => progress.onTransfer(e) } : {}),
        });
        runner = worker;
        worker.on("job_done", (job, r) =>
          progress?.onObjectDone(r.status === "identical" ? (job.source.size ?? 0) : 0),
        );
        worker.on("job_failed", (_job, info) => {
          if (info.disposition === "dead-lettered") progress?.onObjectFailed();
        });
        worker.start();
        try {
          for (const m of chosen) {
            if (abort.signal.aborted) break;
            const { source, destination } = await clients(m);
            const sent = await sendMigration({
              migration: m,
              source,
              destination,
              queue: backends.queue,
              ledger: backends.ledger,
              logger,
              signal: abort.signal,
            });
            progress?.addTotals(sent.sent, sent.sentBytes);
            logger.info({ migration: m.name, sent: sent.sent, compared: sent.compared }, "compared");
          }
        } catch (err) {
          // A compare failed or was interrupted: stop copying too (what was queued stays for
          // the next run); an interruption still ends with the report below.
          await worker.stop({ abort: true });
          if (!abort.signal.aborted) {
            progress?.stop();
            throw err;
          }
        }
        if (!abort.signal.aborted) worker.finishWhenIdle();
        await worker.done();
        progress?.stop();
        if (!abort.signal.aborted) {
          // Every object has its outcome: no unfinished upload of a done object is left behind.
          for (const m of chosen) {
            const { destination } = await clients(m);
            await abortOrphanUploads({ migration: m, destination, ledger: backends.ledger, logger });
          }
        }
        const report = await buildReport({
          ledger: backends.ledger,
          queue: backends.queue,
          migrations: chosen.map((m) => m.name),
        });
        process.stdout.write(flags.json ? renderReportJson(report) : renderReportMarkdown(report));
        if (abort.signal.aborted) {
          process.stderr.write("longbow migrate: interrupted; run the same command again to resume\n");
          process.exitCode = interruptedExit;
        } else if (report.migrations.some((m) => m.objects.failed > 0)) process.exitCode = 1;
        else if (report.migrations.some((m) => m.objects.skipped > 0)) process.exitCode = skippedExit;
      } finally {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
        await backends.close();
      }
    });
};
