import { requireWholeNumber } from "../whole-number.js";
import { Semaphore } from "./semaphore.js";

const MiB = 1024 * 1024;

/**
 * Of a process's configured byte budget, the bytes part buffers may hold. The rest is for
 * the runtime: the JavaScript heap, the SDK, and the buffers of sockets and of answers not
 * read into part buffers. Measured at peak that came to 110–200 MiB beyond the part
 * buffers (bench/RESULTS.md). So a quarter of the budget, at most 128 MiB, is kept for it,
 * and the process's peak stays near the configured budget plus the runtime's own ~100 MiB.
 */
export function partBytesOf(byteBudget: number): number {
  return byteBudget - Math.min(128 * MiB, Math.floor(byteBudget / 4));
}

/**
 * The process-wide bound on object bytes held in memory. Every copy in the process shares
 * one budget: a part acquires its size before its GET starts and releases it once the part
 * is uploaded (and hashed), so object data in memory never exceeds `capacity` bytes, whatever
 * the number or size of objects. Peak memory is about this plus the runtime's own ~100 MiB.
 * A part larger than the whole budget still runs, alone.
 */
export class ByteBudget {
  readonly #sem: Semaphore;

  constructor(capacityBytes: number) {
    this.#sem = new Semaphore(requireWholeNumber("byteBudget (bytes)", capacityBytes, 1));
  }

  /** The budget of a process configured with `byteBudget` bytes: its part buffers' share ({@link partBytesOf}). */
  static forProcess(byteBudget: number): ByteBudget {
    return new ByteBudget(partBytesOf(byteBudget));
  }

  /** Bytes the budget allows in flight. */
  get capacity(): number {
    return this.#sem.capacity;
  }

  /** Bytes reserved right now. */
  get inUse(): number {
    return this.#sem.used;
  }

  /** Reserves `bytes` (waiting in FIFO order) and returns the release function. */
  acquire(bytes: number, signal?: AbortSignal): Promise<() => void> {
    return this.#sem.acquire(Math.max(bytes, 1), signal);
  }

  readonly #free = new Map<number, Buffer[]>();
  #freeBytes = 0;

  /**
   * A buffer of `size` bytes for bytes already reserved: a finished part's buffer of that
   * size when one is kept, else a new one. Reuse spares the allocator, the page faults of
   * fresh memory and the garbage collector a part-sized buffer per part. Kept buffers never
   * push reserved plus kept bytes past the capacity, so memory stays within the budget.
   */
  buffer(size: number): Buffer {
    const kept = this.#free.get(size)?.pop();
    if (kept !== undefined) {
      this.#freeBytes -= size;
      return kept;
    }
    for (const [length, list] of this.#free) {
      while (list.length > 0 && this.inUse + this.#freeBytes > this.capacity) {
        list.pop();
        this.#freeBytes -= length;
      }
    }
    return Buffer.allocUnsafe(size);
  }

  /** Offers a buffer nothing refers to any more for reuse (call after releasing its bytes). */
  recycle(buffer: Buffer): void {
    if (buffer.length === 0 || this.inUse + this.#freeBytes + buffer.length > this.capacity) return;
    const list = this.#free.get(buffer.length) ?? [];
    list.push(buffer);
    this.#free.set(buffer.length, list);
    this.#freeBytes += buffer.length;
  }
}
