import { EventEmitter } from "node:events";
import { AbortError } from "../errors.js";
import type { Logger } from "../log/index.js";
import type { QueueMessage } from "../queue/index.js";
import { sleep } from "../sleep.js";
import { applySettlement } from "./delivery.js";
import type { RunnerEvents } from "./events.js";
import { type ResolvedRunnerOptions, type RunnerOptions, resolveRunnerOptions } from "./options.js";
import { type EmitRunnerEvent, type MessageDeps, messageDeps, processMessage } from "./process-message.js";

/** What the runner is doing now. */
export interface RunnerStatus {
  isRunning: boolean;
  isStopping: boolean;
  /** Messages being worked on. */
  activeMessages: number;
}

/**
 * The worker loop: receives messages while the transfer engine has room (see
 * TransferEngine: admission by the connections each copy will keep busy, so neither a huge
 * object nor a run of small ones idles a long link), carries each through
 * {@link processMessage} under one process-wide byte budget and transfer pool, keeps its
 * message hidden with a heartbeat, and settles it: delete when done or skipped, release for
 * a transient failure, hand back an interrupted one, dead-letter when hopeless. `stop()`
 * drains.
 */
export class Runner extends EventEmitter<RunnerEvents> {
  private readonly o: ResolvedRunnerOptions;
  private readonly log: Logger;
  private readonly deps: MessageDeps;
  private readonly active = new Set<Promise<void>>();
  /**
   * Receivers waiting for room, woken when a job ends or the runner stops. A list rather
   * than `Promise.race` over the jobs and an abort listener per wait: those add a reaction
   * to every running job and a listener to the stop signal each time a full worker wakes,
   * and the signal's listeners then cost O(n) each to add (a fifth of a small-object run's
   * CPU in a profile).
   */
  private waiting: (() => void)[] = [];
  /** One per message being worked on: cuts its copies when the runner stops. */
  private readonly jobControllers = new Set<AbortController>();
  private poll: AbortController | undefined;
  /** End the loop once the queue is idle: `stopWhenIdle`, or `finishWhenIdle()` later. */
  private endWhenIdle: boolean;
  private loop: Promise<void> | undefined;
  private stopping = false;

  constructor(options: RunnerOptions) {
    super();
    this.o = resolveRunnerOptions(options);
    this.endWhenIdle = this.o.stopWhenIdle;
    this.log = this.o.logger.child({ workerId: this.o.workerId });
    // EventEmitter's typed emit cannot take a generic event name; the map is the same
    const emit = this.emit.bind(this) as unknown as EmitRunnerEvent;
    this.deps = { ...messageDeps(this.o, this.log, emit), handBackUnstartedRanges: true };
    // a part range whose last part started frees its room before it ends: receive again
    this.deps.engine.onRoomFreed(() => this.wakeWaiting());
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

  /** Slots asked for by receives in flight: a receive never asks for more than the engine can start. */
  private reserved = 0;
  /** Set once the queue was found idle (ending when idle): every receiver ends. */
  private drained = false;

  private async run(signal: AbortSignal): Promise<void> {
    const receivers = Math.max(
      1,
      Math.min(this.o.receivesInParallel, Math.ceil(this.deps.engine.pool.concurrency / 10)),
    );
    const wake = () => this.wakeWaiting();
    signal.addEventListener("abort", wake, { once: true });
    await Promise.all(Array.from({ length: receivers }, () => this.receiveLoop(signal)));
    signal.removeEventListener("abort", wake);
    await Promise.allSettled([...this.active]);
    // leases given back now rather than left to expire: the others' shares grow at once
    await this.deps.bandwidth.close();
  }

  /**
   * One of the loop's receivers. Receives in flight together keep the engine's admission
   * full (one receive of at most ten messages per round trip would cap a worker at ten
   * objects per receive latency). A receive is never aborted once sent: messages SQS has
   * handed out would stay hidden for their visibility timeout and come back with a receive
   * spent. Stopping waits for the receive, then hands back what it brought uncounted; ending
   * when idle polls briefly, so the end is noticed within a second without cutting a poll.
   */
  private async receiveLoop(signal: AbortSignal): Promise<void> {
    const max = this.deps.engine.pool.concurrency;
    let backoff = 0;
    while (!signal.aborted && !this.drained) {
      // While a large job waits for its lane, take no more: the fleet's other workers
      // should get those jobs rather than this one hoarding them.
      const room = max - this.active.size - this.reserved;
      // Likewise after a part range was handed back for want of room: until a copy
      // settles, whatever this worker receives would wait (or go back) too.
      if (room <= 0 || this.deps.engine.largeWaiting > 0 || this.deps.engine.declined) {
        await new Promise<void>((resolve) => this.waiting.push(resolve));
        continue;
      }
      const want = Math.min(10, room);
      this.reserved += want;
      let messages: QueueMessage[];
      try {
        messages = await this.o.queue.receive({
          max: want,
          waitSeconds: this.endWhenIdle ? Math.min(1, this.o.waitSeconds) : this.o.waitSeconds,
          visibilitySeconds: this.visibilitySeconds,
        });
        backoff = 0;
      } catch (err) {
        if (signal.aborted) break;
        backoff = Math.min(backoff * 2 || 1000, 30_000);
        this.log.error({ err: (err as Error).message, backoffMs: backoff }, "receive failed");
        this.fail(err);
        await sleep(backoff, signal).catch(() => {});
        continue;
      } finally {
        this.reserved -= want;
        this.wakeWaiting();
      }
      if (signal.aborted) {
        // received while stopping: straight back to the queue, uncounted
        await Promise.allSettled(messages.map((m) => this.o.queue.putBack(m)));
        break;
      }
      for (const m of messages) {
        const p = this.handle(m).finally(() => {
          this.active.delete(p);
          this.wakeWaiting();
        });
        this.active.add(p);
      }
      // (another receiver may still be waiting on its poll: whatever it brings is worked on before run() ends)
      if (messages.length === 0 && this.endWhenIdle && this.active.size === 0 && (await this.idle())) {
        this.drained = true;
      }
    }
  }

  private wakeWaiting(): void {
    for (const resolve of this.waiting.splice(0)) resolve();
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
    const cut = new AbortController();
    this.jobControllers.add(cut);
    try {
      await applySettlement(queue, message, await processMessage(message, this.deps, cut.signal));
    } catch (err) {
      // The ledger or the queue failed: leave the message to reappear after its visibility.
      this.log.error({ messageId: message.id, err: (err as Error).message }, "message left for redelivery");
      this.fail(err);
    } finally {
      this.jobControllers.delete(cut);
      clearInterval(heartbeat);
    }
  }
}
