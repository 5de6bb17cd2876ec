import { defaultSettings } from "../config/index.js";
import { LongbowError } from "../errors.js";
import type { Job } from "../job/index.js";
import { ByteBudget } from "./byte-budget.js";
import { copyObject } from "./copy-object.js";
import type { CopyOptions } from "./options.js";
import { TransferPool } from "./pool.js";
import type { CopyResult } from "./result.js";
import { Semaphore } from "./semaphore.js";

/** Options of {@link CopyScheduler}: those of `copyObject` for every copy, plus admission. */
export interface CopySchedulerOptions extends Omit<CopyOptions, "budget" | "pool" | "signal"> {
  /**
   * Multipart copies running at once (the original's MaxParallelFile).
   * @defaultValue 5 (settings.filesInParallel)
   */
  filesInParallel?: number;
  /**
   * Copies of objects at or below the multipart threshold running at once.
   * @defaultValue the pool's concurrency
   */
  smallInParallel?: number;
  /** @defaultValue a budget of `settings.byteBudget` bytes */
  budget?: ByteBudget;
  /** @defaultValue a pool of filesInParallel × partsInParallel slots */
  pool?: TransferPool;
  /** The copy itself; injected by tests. @defaultValue copyObject */
  copy?: typeof copyObject;
}

/**
 * Runs many copies over one transfer pool and one byte budget, admitting each by its size.
 * At most `filesInParallel` multipart copies run at once, as in the original; objects at or
 * below the multipart threshold (one GET and one PUT each: mostly round-trip time, little
 * data) are admitted up to the pool's size instead, so a long run of small objects keeps
 * every connection busy rather than five, while the pool's FIFO slots keep them from
 * starving the parts of large objects. A job whose size is unknown counts as large.
 * Callers hand over jobs as they come (`copy` may be called any number of times at once);
 * the scheduler bounds what runs.
 */
export class CopyScheduler {
  readonly pool: TransferPool;
  readonly budget: ByteBudget;
  readonly #options: Omit<CopyOptions, "signal">;
  readonly #threshold: number;
  readonly #large: Semaphore;
  readonly #small: Semaphore;
  readonly #copy: typeof copyObject;

  constructor(options: CopySchedulerOptions) {
    const settings = options.settings ?? {};
    const filesInParallel = options.filesInParallel ?? defaultSettings.filesInParallel;
    const partsInParallel = settings.partsInParallel ?? defaultSettings.partsInParallel;
    const check = (name: string, v: number) => {
      if (!Number.isSafeInteger(v) || v < 1) {
        throw new LongbowError(
          "InvalidOption",
          `CopySchedulerOptions.${name} must be a positive whole number, got ${v}`,
        );
      }
    };
    check("filesInParallel", filesInParallel);
    this.pool = options.pool ?? new TransferPool({ concurrency: filesInParallel * partsInParallel });
    this.budget = options.budget ?? new ByteBudget(settings.byteBudget ?? defaultSettings.byteBudget);
    const smallInParallel = options.smallInParallel ?? this.pool.concurrency;
    check("smallInParallel", smallInParallel);
    this.#threshold = settings.multipartThreshold ?? defaultSettings.multipartThreshold;
    this.#large = new Semaphore(filesInParallel);
    this.#small = new Semaphore(smallInParallel);
    this.#copy = options.copy ?? copyObject;
    const { filesInParallel: _f, smallInParallel: _s, copy: _c, ...copyOptions } = options;
    this.#options = { ...copyOptions, budget: this.budget, pool: this.pool };
  }

  /** Copies one object once admitted; resolves with its result (never rejects for a copy failure). */
  async copy(job: Job, signal?: AbortSignal): Promise<CopyResult> {
    const size = job.source.size;
    const lane = size !== undefined && size <= this.#threshold ? this.#small : this.#large;
    const release = await lane.acquire(1, signal);
    try {
      return await this.#copy(job, { ...this.#options, ...(signal === undefined ? {} : { signal }) });
    } finally {
      release();
    }
  }
}
