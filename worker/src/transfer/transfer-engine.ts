import type { Settings } from "../settings/index.js";
import { Admission, type Draining } from "./admission.js";
import { ByteBudget } from "./byte-budget.js";
import { TransferPool } from "./pool.js";

/** The settings the copying capacity of a process is built from. */
export type TransferEngineSettings = Pick<
  Settings,
  "filesInParallel" | "partsInParallel" | "byteBudget" | "multipartThreshold" | "partSize"
>;

/** Options of {@link TransferEngine}. */
export interface TransferEngineOptions {
  settings: TransferEngineSettings;
  /** Smallest part the engine plans (tests lower it against a store that allows it). @defaultValue 5 MiB */
  minPartSize?: number;
}

/** Where one copy stands in line: its migration's own limits. */
export interface CopyLane {
  migration: string;
  /** The migration's `limits.filesInParallel`, if it sets one. */
  filesInParallel?: number | undefined;
  /** Parts in flight for this copy (the migration's `limits.partsInParallel`, else the setting). */
  partsInParallel: number;
  /**
   * The copy sends parts whatever its size (a fanned-out object's part range): admitted by
   * the connections its parts keep busy, never in the small objects' lane. @defaultValue false
   */
  multipart?: boolean;
}

/**
 * The copying capacity of one process, built once from settings and shared by every copy
 * it makes, whatever started them (`longbow work`, `migrate`, `cp`, the Lambda handler):
 * one byte budget bounding object bytes in memory, one pool of connections (filesInParallel
 * × partsInParallel) for parts and small objects, admission by the connections a copy will
 * keep busy (see {@link Admission}), and a gate per migration for its
 * `limits.filesInParallel`.
 */
export class TransferEngine {
  readonly budget: ByteBudget;
  readonly pool: TransferPool;
  readonly #admission: Admission;
  readonly #gates = new Map<string, TransferPool>();

  constructor(options: TransferEngineOptions) {
    const s = options.settings;
    this.budget = ByteBudget.forProcess(s.byteBudget);
    this.pool = new TransferPool({ concurrency: s.filesInParallel * s.partsInParallel });
    this.#admission = new Admission({
      poolConcurrency: this.pool.concurrency,
      multipartThreshold: s.multipartThreshold,
      partSize: s.partSize,
      ...(options.minPartSize === undefined ? {} : { minPartSize: options.minPartSize }),
    });
  }

  /** Multipart copies waiting to be admitted: a worker takes no more jobs while one waits. */
  get largeWaiting(): number {
    return this.#admission.largeWaiting;
  }

  /**
   * Runs `copy` once its migration's gate and the admission let it: an object waits here
   * (its message kept hidden by the caller's heartbeat) rather than being released, which
   * would spend a receive. `copy` may call the `draining` it is given once its last part
   * has started (see {@link Draining}): the next copy is admitted then.
   */
  run<T>(
    size: number | undefined,
    lane: CopyLane,
    copy: (draining: Draining) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    const admitted = () =>
      this.#admission.run(
        size,
        lane.partsInParallel,
        (release) => copy(this.#draining(release)).finally(this.#settled),
        signal,
        lane.multipart,
      );
    const gate = this.#gateFor(lane);
    return gate ? gate.run(admitted, signal) : admitted();
  }

  /**
   * Starts `copy` now if its migration's gate and the admission let it start at once, else
   * `undefined` (nothing taken): the caller hands the job to another worker rather than
   * hold it here. Until a copy admitted here settles or drains, {@link declined} stays true.
   */
  tryRun<T>(
    size: number | undefined,
    lane: CopyLane,
    copy: (draining: Draining) => Promise<T>,
  ): Promise<T> | undefined {
    const gate = this.#gateFor(lane);
    if (gate !== undefined && !gate.hasIdleSlot) {
      this.#declined = true;
      return undefined;
    }
    const started = this.#admission.tryRun(
      size,
      lane.partsInParallel,
      (release) => {
        const draining = this.#draining(release);
        return (gate ? gate.run(() => copy(draining)) : copy(draining)).finally(this.#settled);
      },
      lane.multipart,
    );
    if (started === undefined) this.#declined = true;
    return started;
  }

  /**
   * True from a `tryRun` that could not start its copy until a copy settles or drains (and
   * frees room): a worker receives no more jobs meanwhile, so the fleet's idle workers get
   * them.
   */
  get declined(): boolean {
    return this.#declined;
  }

  /**
   * Calls `listener` each time a copy drains (its last part started) and so frees its
   * admission share before it settles: a worker that stopped receiving for want of room
   * receives again then, as it does when a job ends. Returns the function that removes it.
   */
  onRoomFreed(listener: () => void): () => void {
    this.#roomListeners.add(listener);
    return () => this.#roomListeners.delete(listener);
  }

  #declined = false;
  readonly #roomListeners = new Set<() => void>();
  /** Any copy that settles frees room: a declined job may start now. */
  readonly #settled = () => {
    this.#declined = false;
  };

  /** The `draining` a copy is given: its admission share back (once), and the room announced. */
  #draining(release: () => void): Draining {
    let drained = false;
    return () => {
      if (drained) return;
      drained = true;
      release();
      this.#settled();
      for (const listener of this.#roomListeners) listener();
    };
  }

  #gateFor(lane: CopyLane): TransferPool | undefined {
    const limit = lane.filesInParallel;
    if (limit === undefined) return undefined;
    let gate = this.#gates.get(lane.migration);
    if (!gate || gate.concurrency !== limit) {
      gate = new TransferPool({ concurrency: limit });
      this.#gates.set(lane.migration, gate);
    }
    return gate;
  }
}
