import { EventEmitter } from "node:events";
import type { Migration } from "../config/index.js";
import { AbortError } from "../errors.js";
import type { Job } from "../job/index.js";
import type { Logger } from "../log/index.js";
import { type QueueMessage, sleep } from "../queue/index.js";
import { Admission, ByteBudget, TransferPool } from "../transfer/index.js";
import { attemptJob, attemptUnknownMigration, type Verdict } from "./attempt.js";
import { cachedClients, cachedMigrations } from "./caches.js";
import { applySettlement, recordLastDelivery } from "./delivery.js";
import type { RunnerEvents } from "./events.js";
import { parseMessage } from "./message.js";
import {
  type MigrationClients,
  type ResolvedRunnerOptions,
  type RunnerOptions,
  resolveRunnerOptions,
} from "./options.js";
import { jobMetricsOf, settlementOf } from "./outcome.js";

/** What the runner is doing now. */
export interface RunnerStatus {
  isRunning: boolean;
  isStopping: boolean;
  /** Messages being worked on. */
  activeMessages: number;
}

/**
 * The worker loop: admits jobs as the transfer engine's CopyScheduler does, by the
 * connections each will keep busy (Admission: at most `filesInParallel` full-width
 * multipart copies, more when they have few parts, small objects up to the transfer
 * pool's size), so neither a huge object nor a run of small ones idles a long link. It runs each job
 * through the transfer engine under one process-wide byte budget and transfer pool, keeps
 * its message hidden with a heartbeat, and settles it: delete when done or skipped,
 * release for a transient failure, dead-letter when hopeless. `stop()` drains.
 */
export class Runner extends EventEmitter<RunnerEvents> {
  private readonly o: ResolvedRunnerOptions;
  private readonly log: Logger;
  private readonly budget: ByteBudget;
  private readonly pool: TransferPool;
  /** Admits copies by the connections they will keep busy (see Admission). */
  private readonly admission: Admission;
  private readonly active = new Set<Promise<void>>();
  private readonly jobControllers = new Set<AbortController>();
  /** Per-migration gates for `limits.filesInParallel`, created on first use. */
  private readonly migrationGates = new Map<string, TransferPool>();
  /** The migrations, re-read when stale; concurrent callers share one read. */
  private readonly migrations: () => Promise<readonly Migration[]>;
  private readonly clientsFor: (m: Migration) => Promise<MigrationClients>;
  private poll: AbortController | undefined;
  /** End the loop once the queue is idle: `stopWhenIdle`, or `finishWhenIdle()` later. */
  private endWhenIdle: boolean;
  /** Cuts the current poll short: when the last running job settles (if ending when idle), or on `finishWhenIdle()`. */
  private pollCut: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private stopping = false;
  /** The queue's own receive limit, asked once (see recordLastDelivery). */
  private receiveLimit: Promise<number | undefined> | undefined;

  constructor(options: RunnerOptions) {
    super();
    this.o = resolveRunnerOptions(options);
    this.endWhenIdle = this.o.stopWhenIdle;
    this.log = this.o.logger.child({ workerId: this.o.workerId });
    this.budget = ByteBudget.forProcess(this.o.settings.byteBudget);
    this.pool = new TransferPool({
      concurrency: this.o.settings.filesInParallel * this.o.settings.partsInParallel,
    });
    this.admission = new Admission({
      poolConcurrency: this.pool.concurrency,
      multipartThreshold: this.o.settings.multipartThreshold,
      partSize: this.o.settings.partSize,
      ...(this.o.transfer?.minPartSize === undefined ? {} : { minPartSize: this.o.transfer.minPartSize }),
    });
    this.migrations = cachedMigrations(this.o.migrations, {
      refreshSeconds: this.o.migrationsRefreshSeconds,
      now: this.o.now,
      logger: this.log,
    });
    this.clientsFor = cachedClients(this.o.clients);
  }

  get status(): RunnerStatus {
    return {
      isRunning: this.loop !== undefined,
      isStopping: this.stopping,
      activeMessages: this.active.size,
    };
  }

  /** Starts the loop; resolves at once. Listen for `stopped`, or await {@link Runner.done}. */
  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.poll = new AbortController();
    this.loop = this.run(this.poll.signal).finally(() => {
      this.loop = undefined;
      this.emit("stopped");
    });
  }

  /**
   * From now on, end the loop once the queue is idle, as the `stopWhenIdle` option does from
   * the start: for a producer that fills the queue while this runner already works on it
   * (`longbow migrate` copies while its compare still lists).
   */
  finishWhenIdle(): void {
    this.endWhenIdle = true;
    this.pollCut?.abort();
  }

  /** Resolves when the loop has ended (after `stop()`, or when idle with `stopWhenIdle` or `finishWhenIdle()`). */
  async done(): Promise<void> {
    await this.loop;
  }

  /**
   * Stops receiving. Running jobs get `settings.stopDeadlineSeconds` to finish (none with
   * `abort: true`); then they are cut, their messages released at once and their multipart
   * uploads left for the next worker to resume. Resolves when everything has settled.
   */
  async stop(options: { abort?: boolean } = {}): Promise<void> {
    if (!this.loop) return;
    this.stopping = true;
    this.poll?.abort(new AbortError("runner stopping"));
    const cut = () => {
      for (const c of this.jobControllers) c.abort(new AbortError("runner stopped"));
    };
    const timer = options.abort ? undefined : setTimeout(cut, this.o.settings.stopDeadlineSeconds * 1000);
    if (options.abort) cut();
    try {
      await this.loop;
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  private async run(signal: AbortSignal): Promise<void> {
    const max = this.pool.concurrency;
    let backoff = 0;
    while (!signal.aborted) {
      // While a large job waits for its lane, take no more: the fleet's other workers
      // should get those jobs rather than this one hoarding them.
      if (this.active.size >= max || this.admission.largeWaiting > 0) {
        await Promise.race(this.active);
        continue;
      }
      let messages: QueueMessage[];
      // When ending once idle, the poll is cut short as the last running job settles, so the
      // loop checks for idleness then, not when the poll's wait runs out.
      const cut = new AbortController();
      this.pollCut = cut;
      try {
        messages = await this.o.queue.receive({
          max: Math.min(10, max - this.active.size),
          waitSeconds: this.o.waitSeconds,
          visibilitySeconds: this.visibilitySeconds,
          signal: AbortSignal.any([signal, cut.signal]),
        });
        backoff = 0;
      } catch (err) {
        if (signal.aborted) break;
        if (cut.signal.aborted) {
          // Nothing is lost: the embedded queue claims rows only between its sleeps, and an
          // SQS message whose answer was cut off reappears after its visibility timeout.
          messages = [];
        } else {
          backoff = Math.min(backoff * 2 || 1000, 30_000);
          this.log.error({ err: (err as Error).message, backoffMs: backoff }, "receive failed");
          this.fail(err);
          await sleep(backoff, signal).catch(() => {});
          continue;
        }
      }
      for (const m of messages) {
        const p = this.handle(m).finally(() => {
          this.active.delete(p);
          if (this.active.size === 0 && this.endWhenIdle) this.pollCut?.abort();
        });
        this.active.add(p);
      }
      if (messages.length === 0 && this.endWhenIdle && this.active.size === 0 && (await this.idle())) break;
    }
    await Promise.allSettled([...this.active]);
  }

  /** Reports an error to `error` listeners; without one, the log line is the report. */
  private fail(err: unknown): void {
    if (this.listenerCount("error") > 0)
      this.emit("error", err instanceof Error ? err : new Error(String(err)));
  }

  private async idle(): Promise<boolean> {
    try {
      const d = await this.o.queue.depth();
      return d.visible + d.inFlight === 0;
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, "queue depth unavailable; polling on");
      return false;
    }
  }

  /** Visibility a heartbeat extends to: three beats, so one missed beat loses nothing. */
  private get visibilitySeconds(): number {
    return this.o.settings.heartbeatSeconds * 3;
  }

  private async handle(message: QueueMessage): Promise<void> {
    const { queue } = this.o;
    const heartbeat = setInterval(() => {
      queue.extend(message, this.visibilitySeconds).catch((err: unknown) => {
        this.log.warn({ messageId: message.id, err: (err as Error).message }, "heartbeat failed");
      });
    }, this.o.settings.heartbeatSeconds * 1000);
    try {
      const parsed = parseMessage(message.body, await this.migrations());
      if (parsed.kind !== "jobs") {
        this.emit("message_rejected", { messageId: message.id, reason: parsed.reason });
        if (parsed.kind === "ignore") await queue.delete(message);
        else {
          this.log.error({ messageId: message.id, reason: parsed.reason }, "message dead-lettered");
          await queue.deadLetter(message, parsed.reason);
        }
        return;
      }
      if (parsed.skipped.length > 0)
        this.log.info({ objects: parsed.skipped }, "S3 event matches no migration");
      this.receiveLimit ??= queue.receiveLimit().catch(() => undefined);
      await recordLastDelivery(
        this.o.ledger,
        message,
        parsed.jobs,
        await this.receiveLimit,
        {
          workerId: this.o.workerId,
          attempt: message.receiveCount + message.handedBack,
          startedAt: new Date(this.o.now()).toISOString(),
        },
        this.log,
      );
      const verdicts: Verdict[] = [];
      for (const job of parsed.jobs) verdicts.push(await this.runJob(job, message));
      await applySettlement(queue, message, settlementOf(verdicts, this.o.retryBaseDelaySeconds));
    } catch (err) {
      // The ledger or the queue failed: leave the message to reappear after its visibility.
      this.log.error({ messageId: message.id, err: (err as Error).message }, "message left for redelivery");
      this.fail(err);
    } finally {
      clearInterval(heartbeat);
    }
  }

  private async runJob(job: Job, message: QueueMessage): Promise<Verdict> {
    const started = this.o.now();
    const run = {
      workerId: this.o.workerId,
      attempt: message.receiveCount + message.handedBack,
      startedAt: new Date(started).toISOString(),
    };
    this.emit("job_received", job, { attempt: run.attempt, messageId: message.id });
    const migration = (await this.migrations()).find((m) => m.name === job.migration);
    if (!migration) {
      // Perhaps not published yet: retry, and dead-letter once the attempts run out.
      const verdict = await attemptUnknownMigration(job, this.o, run);
      this.emit("job_failed", job, {
        reason: verdict.reason,
        disposition: verdict.kind === "dead" ? "dead-lettered" : "released",
      });
      return verdict;
    }
    const controller = new AbortController();
    this.jobControllers.add(controller);
    let verdict: Verdict;
    try {
      const clients = await this.clientsFor(migration);
      const attempt = () =>
        attemptJob(job, {
          o: this.o,
          migration,
          clients,
          budget: this.budget,
          pool: this.pool,
          run,
          signal: controller.signal,
          isStopping: () => controller.signal.aborted,
        });
      // A job over its migration's limit waits here holding its message (the heartbeat keeps
      // it hidden) rather than being released, which would spend one of its receives.
      const partsInParallel = migration.limits.partsInParallel ?? this.o.settings.partsInParallel;
      const admitted = () => this.admission.run(job.source.size, partsInParallel, attempt);
      const gate = this.gateFor(migration);
      verdict = gate ? await gate.run(admitted) : await admitted();
    } finally {
      this.jobControllers.delete(controller);
    }
    this.report(job, verdict, this.o.now() - started);
    return verdict;
  }

  private gateFor(migration: Migration): TransferPool | undefined {
    const limit = migration.limits.filesInParallel;
    if (limit === undefined) return undefined;
    let gate = this.migrationGates.get(migration.name);
    if (!gate || gate.concurrency !== limit) {
      gate = new TransferPool({ concurrency: limit });
      this.migrationGates.set(migration.name, gate);
    }
    return gate;
  }

  private report(job: Job, v: Verdict, durationMs: number): void {
    this.o.metrics?.jobFinished(jobMetricsOf(job, v, durationMs));
    if (v.kind === "done" || v.kind === "skipped") this.emit("job_done", job, v.result);
    else if (v.kind === "stopped") {
      // an interruption, not a failure: one summary line is the caller's to print
      this.log.debug({ key: job.source.key }, "job interrupted; handed back for the next run");
      this.emit("job_interrupted", job);
    } else {
      const disposition = v.kind === "dead" ? "dead-lettered" : "released";
      this.log[v.kind === "dead" ? "error" : "warn"](
        { key: job.source.key, reason: v.reason, disposition },
        "job failed",
      );
      this.emit("job_failed", job, {
        reason: v.reason,
        disposition,
        ...(v.code === undefined ? {} : { code: v.code }),
      });
    }
  }
}
