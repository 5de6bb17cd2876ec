import { createHash, type Hash } from "node:crypto";

/**
 * The MD5 of a whole object whose parts arrive out of order. A part handed in early is
 * held (with its share of the byte budget) until every earlier part has been hashed; its
 * `onHashed` then releases it. Parts reserve budget in part order, so the earliest unhashed
 * part always holds its budget already and the wait cannot deadlock.
 */
export class OrderedMd5 {
  readonly #hash: Hash = createHash("md5");
  readonly #pending = new Map<number, { data: Uint8Array; onHashed: () => void }>();
  #next = 1;
  #disposed = false;

  /** Hands in part `partNumber` (1-based). `onHashed` runs once its bytes are in the hash (or on dispose). */
  add(partNumber: number, data: Uint8Array, onHashed: () => void): void {
    if (this.#disposed) {
      onHashed();
      return;
    }
    this.#pending.set(partNumber, { data, onHashed });
    for (let p = this.#pending.get(this.#next); p !== undefined; p = this.#pending.get(this.#next)) {
      this.#pending.delete(this.#next);
      this.#hash.update(p.data);
      this.#next++;
      p.onHashed();
    }
  }

  /** Parts hashed so far. */
  get hashedParts(): number {
    return this.#next - 1;
  }

  /** Hex digest; call once, after all parts were added. */
  digest(): string {
    return this.#hash.digest("hex");
  }

  /** Releases every part still held (after a failure). */
  dispose(): void {
    this.#disposed = true;
    for (const p of this.#pending.values()) p.onHashed();
    this.#pending.clear();
  }
}
