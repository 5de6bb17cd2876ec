import type { Digest } from "./checksum.js";

/**
 * A whole-object digest (MD5, or a full-object CRC/SHA checksum) over parts that arrive out
 * of order. A part handed in early is held (with its share of the byte budget) until every
 * earlier part has been fed; its `onDigested` then releases it. Parts reserve budget in
 * part order, so the earliest unfed part always holds its budget already and the wait
 * cannot deadlock.
 */
export class OrderedDigest {
  readonly #digest: Digest;
  readonly #pending = new Map<number, { data: Uint8Array; onDigested: () => void }>();
  #next = 1;
  #disposed = false;

  constructor(digest: Digest) {
    this.#digest = digest;
  }

  /** Hands in part `partNumber` (1-based). `onDigested` runs once its bytes are fed (or on dispose). */
  add(partNumber: number, data: Uint8Array, onDigested: () => void): void {
    if (this.#disposed) {
      onDigested();
      return;
    }
    this.#pending.set(partNumber, { data, onDigested });
    for (let p = this.#pending.get(this.#next); p !== undefined; p = this.#pending.get(this.#next)) {
      this.#pending.delete(this.#next);
      this.#digest.update(p.data);
      this.#next++;
      p.onDigested();
    }
  }

  /** Parts fed so far. */
  get digestedParts(): number {
    return this.#next - 1;
  }

  /** The digest; call once, after all parts were added. */
  digest(): Promise<Uint8Array> {
    return this.#digest.digest();
  }

  /** Releases every part still held (after a failure). */
  dispose(): void {
    this.#disposed = true;
    for (const p of this.#pending.values()) p.onDigested();
    this.#pending.clear();
  }
}
