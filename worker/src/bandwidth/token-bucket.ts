import { AbortError } from "../errors.js";
import { sleep as realSleep } from "../sleep.js";

/** Time as the bucket sees it; tests pass a simulated clock whose `sleep` moves `now`. */
export interface PaceClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: PaceClock = { now: Date.now, sleep: realSleep };

/** Options of {@link TokenBucket}. */
export interface TokenBucketOptions {
  /** Bytes per second right now, or `undefined` for unlimited; asked at every refill. */
  rate: () => number | undefined;
  /** @defaultValue the system clock */
  clock?: PaceClock;
  /** Tokens the bucket holds at most, in seconds of the rate: the largest burst. @defaultValue 1 */
  burstSeconds?: number;
  /** Longest single wait, so a rate that rises (a schedule, a worker leaving) is seen soon. @defaultValue 1000 */
  maxWaitMs?: number;
}

interface Waiter {
  bytes: number;
  resolve: () => void;
  reject: (err: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/**
 * Paces bytes to a rate that may change at any time. Requests are served in order; one is
 * granted as soon as the bucket is not in debt, and takes all its bytes at once, so a part
 * larger than the bucket still goes (the debt it leaves is paid by those after it): over
 * any span the bytes granted stay within rate × span + one burst + one request. It starts
 * empty, so its first burst is earned.
 *
 * Waiting costs nothing but a timer: a caller waits before reserving memory or a
 * connection, and an abort takes it out of line at once.
 */
export class TokenBucket {
  readonly #o: Required<TokenBucketOptions>;
  #tokens: number;
  #refilledAt: number;
  readonly #line: Waiter[] = [];
  #pumping = false;
  /** Waits the bucket made (each one refill's worth); for tests and metrics. */
  waits = 0;

  constructor(options: TokenBucketOptions) {
    this.#o = { clock: systemClock, burstSeconds: 1, maxWaitMs: 1000, ...options };
    this.#refilledAt = this.#o.clock.now();
    // empty at first: a fleet of buckets starting together must not add a burst each
    this.#tokens = 0;
  }

  /** Requests waiting their turn. */
  get waiting(): number {
    return this.#line.length;
  }

  #refill(rate: number | undefined): void {
    const now = this.#o.clock.now();
    const elapsed = Math.max(0, now - this.#refilledAt) / 1000;
    this.#refilledAt = now;
    if (rate === undefined) return;
    this.#tokens = Math.min(rate * this.#o.burstSeconds, this.#tokens + elapsed * rate);
  }

  /** Resolves once `bytes` may be moved; rejects with an AbortError when `signal` fires first. */
  take(bytes: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(new AbortError("aborted while pacing", signal.reason));
    return new Promise<void>((resolve, reject) => {
      const w: Waiter = {
        bytes,
        resolve,
        reject,
        signal,
        onAbort: () => {
          const i = this.#line.indexOf(w);
          if (i >= 0) this.#line.splice(i, 1);
          reject(new AbortError("aborted while pacing", signal?.reason));
        },
      };
      signal?.addEventListener("abort", w.onAbort, { once: true });
      this.#line.push(w);
      if (!this.#pumping) void this.#pump();
    });
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      while (this.#line.length > 0) {
        const rate = this.#o.rate();
        this.#refill(rate);
        if (rate === undefined || this.#tokens >= 0) {
          const w = this.#line.shift() as Waiter;
          w.signal?.removeEventListener("abort", w.onAbort);
          if (rate !== undefined) this.#tokens -= w.bytes;
          w.resolve();
          continue;
        }
        const ms = Math.min(this.#o.maxWaitMs, Math.ceil((-this.#tokens / rate) * 1000));
        this.waits++;
        await this.#o.clock.sleep(Math.max(1, ms));
      }
    } finally {
      this.#pumping = false;
    }
  }
}
