import { AbortError } from "../errors.js";

interface Waiter {
  amount: number;
  resolve: () => void;
  reject: (err: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/**
 * A first-in-first-out counting semaphore: `acquire(n)` waits until `n` units are free and
 * no earlier caller is still waiting (so a large request is never starved by small ones).
 * A request larger than the capacity is granted once the semaphore is idle.
 */
export class Semaphore {
  readonly capacity: number;
  #used = 0;
  readonly #queue: Waiter[] = [];
  readonly #onRelease = new Set<() => void>();

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  /** Units held right now. */
  get used(): number {
    return this.#used;
  }

  /** Callers waiting right now. */
  get waiting(): number {
    return this.#queue.length;
  }

  /**
   * Takes `amount` units now if they are free and nobody waits; returns the function that
   * gives them back, or `undefined` (taking nothing) when that would mean waiting.
   */
  tryAcquire(amount: number): (() => void) | undefined {
    const granted = Math.min(amount, this.capacity);
    if (this.#queue.length > 0 || !this.#fits(granted)) return undefined;
    this.#used += granted;
    return this.#releaser(granted);
  }

  /** Resolves the next time any units are given back; rejects with an AbortError on abort. */
  nextRelease(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(new AbortError("aborted while waiting", signal.reason));
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        this.#onRelease.delete(done);
        reject(new AbortError("aborted while waiting", signal?.reason));
      };
      const done = () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      this.#onRelease.add(done);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Waits for `amount` units and returns the function that gives them back (idempotent). */
  async acquire(amount: number, signal?: AbortSignal): Promise<() => void> {
    const granted = Math.min(amount, this.capacity);
    if (signal?.aborted) throw new AbortError("aborted while waiting for capacity", signal.reason);
    if (this.#queue.length === 0 && this.#fits(granted)) {
      this.#used += granted;
    } else {
      await new Promise<void>((resolve, reject) => {
        const waiter: Waiter = {
          amount: granted,
          resolve,
          reject,
          signal,
          onAbort: () => {
            const i = this.#queue.indexOf(waiter);
            if (i >= 0) this.#queue.splice(i, 1);
            reject(new AbortError("aborted while waiting for capacity", signal?.reason));
            this.#drain();
          },
        };
        signal?.addEventListener("abort", waiter.onAbort, { once: true });
        this.#queue.push(waiter);
      });
    }
    return this.#releaser(granted);
  }

  #releaser(granted: number): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#used -= granted;
      this.#drain();
      if (this.#onRelease.size > 0) {
        const listeners = [...this.#onRelease];
        this.#onRelease.clear();
        for (const l of listeners) l();
      }
    };
  }

  #fits(amount: number): boolean {
    return this.#used === 0 || this.#used + amount <= this.capacity;
  }

  #drain(): void {
    while (this.#queue.length > 0) {
      const next = this.#queue[0] as Waiter;
      if (!this.#fits(next.amount)) return;
      this.#queue.shift();
      next.signal?.removeEventListener("abort", next.onAbort);
      this.#used += next.amount;
      next.resolve();
    }
  }
}
