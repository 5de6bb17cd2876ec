import { ownPartSize } from "./part-plan.js";
import { Semaphore } from "./semaphore.js";

const MiB = 1024 * 1024;

/**
 * Called by an admitted copy once every one of its parts has a connection (none is left to
 * start): its share of the admission is given back before it settles, so the next copy is
 * admitted while these last parts end, and its start (a receive, a ledger read, a ListParts
 * over a long link) overlaps them instead of following them. Its parts still hold their
 * pool slots and byte budget, which bound connections and memory; the next copy's parts
 * take the slots as they free. Idempotent.
 */
export type Draining = () => void;

/** Options of {@link Admission}. */
export interface AdmissionOptions {
  /** Connections of the shared transfer pool (filesInParallel × partsInParallel). */
  poolConcurrency: number;
  /** Objects at or below this size are copied whole (one GET, one PUT). */
  multipartThreshold: number;
  /** Part size fixed by settings, if any; otherwise parts are estimated at the minimum. */
  partSize: number | undefined;
  /** Small copies running at once. @defaultValue poolConcurrency */
  smallInParallel?: number;
  /** @defaultValue 5 MiB, S3's minimum part */
  minPartSize?: number;
}

/**
 * Decides when a copy may start, by how many of the pool's connections it will keep busy.
 * A multipart copy is admitted when the pool has room for its parallel parts:
 * min(its parts, partsInParallel), all of them when its size is unknown. So at most
 * filesInParallel full-width copies run at once, as in the original, but objects of a few
 * parts each are admitted in proportion, rather than five of them leaving most of the
 * pool idle on a long link. Objects at or below the multipart threshold (mostly round
 * trips, little data) have their own lane, up to the pool's size. Both lanes are FIFO, so
 * a wide copy is never starved by narrow ones. The pool's FIFO slots then share the
 * connections among everything admitted, and the byte budget bounds memory.
 */
export class Admission {
  readonly #small: Semaphore;
  readonly #large: Semaphore;
  readonly #o: Required<Omit<AdmissionOptions, "partSize">> & { partSize: number | undefined };

  constructor(options: AdmissionOptions) {
    this.#o = {
      smallInParallel: options.poolConcurrency,
      minPartSize: 5 * MiB,
      ...options,
    };
    this.#small = new Semaphore(this.#o.smallInParallel);
    this.#large = new Semaphore(this.#o.poolConcurrency);
  }

  /** True when an object of this size is copied whole. */
  isSmall(size: number | undefined): boolean {
    return size !== undefined && size <= this.#o.multipartThreshold;
  }

  /** Connections a multipart copy of `size` bytes is expected to keep busy at once. */
  widthOf(size: number | undefined, partsInParallel: number): number {
    if (size === undefined) return partsInParallel;
    const partsCount = Math.max(
      1,
      Math.ceil(
        size / ownPartSize({ size, fixedPartSize: this.#o.partSize, minPartSize: this.#o.minPartSize }),
      ),
    );
    return Math.max(1, Math.min(partsCount, partsInParallel));
  }

  /** Multipart copies waiting to be admitted. */
  get largeWaiting(): number {
    return this.#large.waiting;
  }

  /**
   * Runs `task` at once if a copy of `size` bytes (sent in parts when `multipart`, whatever
   * its size) is admitted now (nobody waits ahead of it
   * and its share is free), else `undefined`, taking nothing; its share is returned when it
   * settles, or earlier when the task calls the `draining` it is given (see {@link Draining}).
   */
  tryRun<T>(
    size: number | undefined,
    partsInParallel: number,
    task: (draining: Draining) => Promise<T>,
    multipart = false,
  ): Promise<T> | undefined {
    const release =
      !multipart && this.isSmall(size)
        ? this.#small.tryAcquire(1)
        : this.#large.tryAcquire(this.widthOf(size, partsInParallel));
    if (release === undefined) return undefined;
    return (async () => {
      try {
        return await task(release);
      } finally {
        release();
      }
    })();
  }

  /**
   * Runs `task` once a copy of `size` bytes is admitted; its share is returned when it
   * settles, or earlier when the task calls the `draining` it is given.
   */
  async run<T>(
    size: number | undefined,
    partsInParallel: number,
    task: (draining: Draining) => Promise<T>,
    signal?: AbortSignal,
    multipart = false,
  ): Promise<T> {
    const release =
      !multipart && this.isSmall(size)
        ? await this.#small.acquire(1, signal)
        : await this.#large.acquire(this.widthOf(size, partsInParallel), signal);
    try {
      return await task(release);
    } finally {
      release();
    }
  }
}
