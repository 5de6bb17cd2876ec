import { BandwidthGovernor } from "../bandwidth/index.js";
import type { Migration } from "../config/index.js";
import { isDeletion, type Job, type PartRange } from "../job/index.js";
import type { Logger } from "../log/index.js";
import type { QueueMessage } from "../queue/index.js";
import { type Draining, PartPlan, TransferEngine } from "../transfer/index.js";
import { type AttemptContext, attemptJob, attemptUnknownMigration, type Verdict } from "./attempt.js";
import { cachedClients, cachedMigrations } from "./caches.js";
import { attemptDeletion } from "./deletion.js";
import { recordLastDelivery } from "./delivery.js";
import type { RunnerEvents } from "./events.js";
import { attemptRange, attemptSplit } from "./fanout-attempt.js";
import { parseMessage } from "./message.js";
import type { MigrationClients, ResolvedRunnerOptions } from "./options.js";
import { jobMetricsOf, type Settlement, settlementOf } from "./outcome.js";

/** Emits one of the runner's typed events. */
export type EmitRunnerEvent = <E extends keyof RunnerEvents>(event: E, ...args: RunnerEvents[E]) => void;

/** What carrying a received message to its settlement needs; built once per Runner or Lambda container. */
export interface MessageDeps {
  o: ResolvedRunnerOptions;
  log: Logger;
  /** The migrations, re-read when stale (see `cachedMigrations`). */
  migrations: () => Promise<readonly Migration[]>;
  /** A migration's two S3 clients (see `cachedClients`). */
  clientsFor: (m: Migration) => Promise<MigrationClients>;
  /** The queue's own receive limit (see `recordLastDelivery`), asked once. */
  receiveLimit: () => Promise<number | undefined>;
  /** The process's copying capacity: budget, pool, admission, per-migration gates. */
  engine: TransferEngine;
  /** Each migration's bandwidth limit in this process: its share of the fleet's. */
  bandwidth: BandwidthGovernor;
  /** @defaultValue no events */
  emit?: EmitRunnerEvent;
  /**
   * Hand a part-range job this process cannot start at once straight back to the queue
   * (uncounted) rather than hold it until room frees: set by the long-running worker, whose
   * receive loop then waits for room (see `TransferEngine.declined`), so the fleet's idle
   * workers take the range. A Lambda invocation copies the batch it was given.
   * @defaultValue false
   */
  handBackUnstartedRanges?: boolean;
}

/**
 * The dependencies of {@link processMessage} from resolved options: migrations re-read when
 * stale, clients kept per migration, the queue's receive limit asked once, and one
 * {@link TransferEngine} for every copy of the process.
 */
export function messageDeps(o: ResolvedRunnerOptions, log: Logger, emit?: EmitRunnerEvent): MessageDeps {
  let receiveLimit: Promise<number | undefined> | undefined;
  return {
    o,
    log,
    migrations: cachedMigrations(o.migrations, {
      refreshSeconds: o.migrationsRefreshSeconds,
      now: o.now,
      logger: log,
    }),
    clientsFor: cachedClients(o.clients),
    receiveLimit: () => {
      receiveLimit ??= o.queue.receiveLimit().catch(() => undefined);
      return receiveLimit;
    },
    engine: new TransferEngine({
      settings: o.settings,
      minPartSize: o.transfer?.minPartSize ?? o.settings.minPartSize,
    }),
    bandwidth: new BandwidthGovernor({
      ...(o.bandwidth ? { shares: o.bandwidth } : {}),
      workerId: o.workerId,
      leaseSeconds: o.settings.bandwidthLeaseSeconds,
      logger: log,
    }),
    ...(emit === undefined ? {} : { emit }),
  };
}

/**
 * Carries one received message from parsing to its settlement: a message that is not a
 * job is ignored or dead-lettered; otherwise, after recording a last allowed delivery, each
 * of its jobs is copied under its migration's limits and the engine's admission, recorded
 * in the ledger, and the verdicts settle the message (see `settlementOf`). `signal` cuts
 * the copies (stop, a Lambda deadline): they end `stopped` and the message is handed back.
 * The caller applies the settlement (the Runner deletes finished messages, Lambda leaves
 * that to its event source) and keeps the message hidden meanwhile.
 */
export async function processMessage(
  message: QueueMessage,
  deps: MessageDeps,
  signal: AbortSignal,
): Promise<Settlement> {
  const { o, log } = deps;
  const parsed = parseMessage(message.body, await deps.migrations());
  if (parsed.kind !== "jobs") {
    deps.emit?.("message_rejected", { messageId: message.id, reason: parsed.reason });
    if (parsed.kind === "ignore") return { action: "delete" };
    log.error({ messageId: message.id, reason: parsed.reason }, "message dead-lettered");
    return { action: "dead-letter", reason: parsed.reason };
  }
  if (parsed.skipped.length > 0) log.info({ objects: parsed.skipped }, "S3 event matches no migration");
  if (parsed.notMirrored.length > 0) {
    log.info(
      { objects: parsed.notMirrored },
      "source object removed; not deleted at the destination (mirror is off)",
    );
  }
  const run = {
    workerId: o.workerId,
    attempt: message.receiveCount + message.handedBack,
    startedAt: new Date(o.now()).toISOString(),
  };
  await recordLastDelivery(o.ledger, message, parsed.jobs, await deps.receiveLimit(), run, log);
  const verdicts: Verdict[] = [];
  for (const job of parsed.jobs) verdicts.push(await processJob(job, message, deps, signal));
  return settlementOf(verdicts, o.retryBaseDelaySeconds);
}

async function processJob(
  job: Job,
  message: QueueMessage,
  deps: MessageDeps,
  signal: AbortSignal,
): Promise<Verdict> {
  const { o } = deps;
  const started = o.now();
  const run = {
    workerId: o.workerId,
    attempt: message.receiveCount + message.handedBack,
    startedAt: new Date(started).toISOString(),
  };
  deps.emit?.("job_received", job, { attempt: run.attempt, messageId: message.id });
  const migration = (await deps.migrations()).find((m) => m.name === job.migration);
  if (!migration) {
    // Perhaps not published yet: retried, and recorded failed once the attempts run out.
    const verdict = await attemptUnknownMigration(job, o, run);
    report(job, verdict, o.now() - started, deps, false);
    return verdict;
  }
  const clients = await deps.clientsFor(migration);
  if (isDeletion(job)) {
    // no bytes move: outside the engine's byte budget and admission
    const verdict = await attemptDeletion(job, { o, migration, clients, run, signal });
    report(job, verdict, o.now() - started, deps, true);
    return verdict;
  }
  const partsInParallel = migration.limits.partsInParallel ?? o.settings.partsInParallel;
  const lane = {
    migration: migration.name,
    filesInParallel: migration.limits.filesInParallel,
    partsInParallel,
  };
  const ctx: AttemptContext = {
    o,
    migration,
    clients,
    budget: deps.engine.budget,
    pool: deps.engine.pool,
    pace: deps.bandwidth.pacerFor(migration),
    run,
    signal,
    isStopping: () => signal.aborted,
  };
  // A part-range job is admitted by its own bytes; a giant object's job splits before it
  // would wait for admission as one copy.
  const range = job.range;
  let verdict: Verdict;
  if (range !== undefined) {
    const copyRange = (draining: Draining) => {
      // which worker copies which range: the cluster e2e and an operator's debug log read it
      deps.log.debug(
        { key: job.source.key, range: range.index, first: range.first, last: range.last },
        "part range started",
      );
      // once its last part has started, this worker takes its next range: that range's
      // receive, ledger read and ListParts overlap these parts' ends, and its parts take the
      // connections as they free, rather than the connections idling until the range settles
      return attemptRange(job, {
        ...ctx,
        draining: () => {
          deps.log.debug({ key: job.source.key, range: range.index }, "part range draining");
          draining();
        },
      });
    };
    const bytes = rangeBytes(range);
    // a range sends parts however few bytes it has: admitted by its width, not as a small object
    const rangeLane = { ...lane, multipart: true };
    if (deps.handBackUnstartedRanges) {
      const running = deps.engine.tryRun(bytes, rangeLane, copyRange);
      if (running === undefined) {
        // held here it would wait for this worker's own ranges while another worker idles;
        // handed back it is visible at once and uncounted (an interruption is not a failure)
        deps.log.debug(
          { key: job.source.key, range: range.index },
          "part range handed back: no room to start it now",
        );
        return { kind: "stopped" };
      }
      verdict = await running;
    } else {
      verdict = await deps.engine.run(bytes, rangeLane, copyRange);
    }
  } else {
    verdict =
      (await attemptSplit(job, ctx)) ??
      (await deps.engine.run(job.source.size, lane, () => attemptJob(job, ctx)));
  }
  report(job, verdict, o.now() - started, deps, true);
  return verdict;
}

/** Bytes of a range's parts. */
function rangeBytes(r: PartRange): number {
  const plan = new PartPlan(r.layout, r.mirrored);
  const end = plan.range(r.last);
  return end.start + end.length - plan.range(r.first).start;
}

/** Metrics, events and the log line of one job's verdict; an interruption is logged at debug only. */
function report(job: Job, v: Verdict, durationMs: number, deps: MessageDeps, metrics: boolean): void {
  if (metrics) deps.o.metrics?.jobFinished(jobMetricsOf(job, v, durationMs));
  if (v.kind === "done" || v.kind === "skipped") {
    deps.emit?.("job_done", job, v.result);
  } else if (v.kind === "deleted" || v.kind === "kept") {
    deps.log.info(
      {
        key: job.destination.key,
        outcome: v.deletion.status,
        ...(v.kind === "kept" ? { reason: v.reason } : {}),
      },
      v.kind === "deleted" ? "destination object deleted (mirror)" : "destination object kept (mirror)",
    );
    deps.emit?.("job_deleted", job, v.deletion);
  } else if (v.kind === "shared") {
    deps.log.debug({ key: job.source.key, note: v.note }, "part of a fanned-out object done");
    deps.emit?.("job_shared", job, { note: v.note });
  } else if (v.kind === "stopped") {
    deps.log.debug({ key: job.source.key }, "job interrupted; handed back, its upload kept");
    deps.emit?.("job_interrupted", job);
  } else {
    const disposition = v.kind === "dead" ? "dead-lettered" : "released";
    deps.log[v.kind === "dead" ? "error" : "warn"](
      { key: job.source.key, reason: v.reason, disposition },
      "job failed",
    );
    deps.emit?.("job_failed", job, {
      reason: v.reason,
      disposition,
      ...(v.code === undefined ? {} : { code: v.code }),
    });
  }
}
