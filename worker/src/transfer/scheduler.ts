import { defaultSettings } from "../config/index.js";
import { LongbowError } from "../errors.js";
import type { Job } from "../job/index.js";
import { Admission } from "./admission.js";
import { ByteBudget } from "./byte-budget.js";
import { copyObject } from "./copy-object.js";
import type { CopyOptions } from "./options.js";
import { TransferPool } from "./pool.js";
import type { CopyResult } from "./result.js";

/** Options of {@link CopyScheduler}: those of `copyObject` for every copy, plus admission. */
export interface CopySchedulerOptions extends Omit<CopyOptions, "budget" | "pool" | "signal"> {
  /**
   * Full-width multipart copies running at once (the original's MaxParallelFile); the pool
   * is filesInParallel × partsInParallel connections. @defaultValue 5 (settings.filesInParallel)
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
 * Runs many copies over one transfer pool and one byte budget, admitting each by how many
 * connections it will keep busy (see {@link Admission}): at most `filesInParallel`
 * full-width multipart copies, more when they have few parts, and small objects up to the
 * pool's size, so neither one huge object nor a long run of small ones leaves connections
 * idle. Callers hand over jobs as they come (`copy` may be called any number of times at
 * once); the scheduler bounds what runs.
 */
export class CopyScheduler {
  readonly pool: TransferPool;
  readonly budget: ByteBudget;
  readonly #options: Omit<CopyOptions, "signal">;
  readonly #admission: Admission;
  readonly #partsInParallel: number;
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
    this.budget = options.budget ?? ByteBudget.forProcess(settings.byteBudget ?? defaultSettings.byteBudget);
    const smallInParallel = options.smallInParallel ?? this.pool.concurrency;
    check("smallInParallel", smallInParallel);
    this.#partsInParallel = partsInParallel;
    this.#admission = new Admission({
      poolConcurrency: this.pool.concurrency,
      smallInParallel,
      multipartThreshold: settings.multipartThreshold ?? defaultSettings.multipartThreshold,
      partSize: settings.partSize,
      ...(options.minPartSize === undefined ? {} : { minPartSize: options.minPartSize }),
    });
    this.#copy = options.copy ?? copyObject;
    const { filesInParallel: _f, smallInParallel: _s, copy: _c, ...copyOptions } = options;
    this.#options = { ...copyOptions, budget: this.budget, pool: this.pool };
  }

  /** Copies one object once admitted; resolves with its result (never rejects for a copy failure). */
  async copy(job: Job, signal?: AbortSignal): Promise<CopyResult> {
    return this.#admission.run(
      job.source.size,
      this.#partsInParallel,
      () => this.#copy(job, { ...this.#options, ...(signal === undefined ? {} : { signal }) }),
      signal,
    );
  }
}
