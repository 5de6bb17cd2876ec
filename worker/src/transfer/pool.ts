import { requireWholeNumber } from "../whole-number.js";
import { Semaphore } from "./semaphore.js";

/** Options of {@link TransferPool}. */
export interface TransferPoolOptions {
  /**
   * Part transfers (GET + UploadPart) and small-object copies running at once across all
   * copies sharing the pool. Size the S3 clients' `maxSockets` to at least this.
   * @defaultValue 64
   */
  concurrency?: number;
}

/**
 * The shared scheduler of a process: every unit of network work of every copy (one part,
 * or one small object) runs through {@link TransferPool.run}, so many concurrent copies share
 * one bounded set of connections in arrival order. A copy's own `partsInParallel` caps how
 * much of the pool one object can take; the pool caps the total. Because a slot covers
 * one part's download and upload, while one part uploads the next part of the same object
 * is already downloading in another slot.
 */
export class TransferPool {
  readonly concurrency: number;
  readonly #sem: Semaphore;

  constructor(options: TransferPoolOptions = {}) {
    const concurrency = requireWholeNumber("TransferPoolOptions.concurrency", options.concurrency ?? 64, 1);
    this.concurrency = concurrency;
    this.#sem = new Semaphore(concurrency);
  }

  /** Units of work running now. */
  get active(): number {
    return this.#sem.used;
  }

  /** Units of work waiting for a slot. */
  get waiting(): number {
    return this.#sem.waiting;
  }

  /** True when a slot is free and no work waits for one: a connection would idle. */
  get hasIdleSlot(): boolean {
    return this.#sem.waiting === 0 && this.#sem.used < this.concurrency;
  }

  /** Resolves the next time a slot is given back. */
  nextRelease(signal?: AbortSignal): Promise<void> {
    return this.#sem.nextRelease(signal);
  }

  /** Runs `task` when a slot is free; the slot is returned when it settles. */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const release = await this.#sem.acquire(1, signal);
    try {
      return await task();
    } finally {
      release();
    }
  }
}
