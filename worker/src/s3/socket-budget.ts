import { AbortError } from "../errors.js";

/** Gives a slot back; calling it again does nothing. */
export type Release = () => void;

/** One wait for a slot. */
export interface Claim {
  /** Called with a slot when one frees; returns false when the claim no longer wants it. */
  grant(release: Release): boolean;
  /** Called when the budget is closed while the claim waits. */
  fail(err: Error): void;
}

/**
 * The connections one S3 client may hold, over all its pools (the SDK's agents and the
 * read path's): a pool opens a connection only with a slot and gives the slot back when the
 * connection closes. While a claim waits, pools close connections they would keep idle,
 * and one idle connection is closed per claim, so a slot never idles in one pool while
 * another pool waits for it.
 */
export class SocketBudget {
  private open = 0;
  private readonly claims: Claim[] = [];
  private readonly idleClosers: Array<() => boolean> = [];
  private closed: Error | undefined;

  constructor(readonly limit: number) {}

  /** Slots taken (connections open or being opened). */
  get inUse(): number {
    return this.open;
  }

  /** Whether a claim waits: a pool should close a connection rather than keep it idle. */
  get contended(): boolean {
    return this.claims.length > 0;
  }

  /** Whether `claim` is the first in line. */
  isNext(claim: Claim): boolean {
    return this.claims[0] === claim;
  }

  /** A slot at once, or `undefined` when all are taken. */
  tryTake(): Release | undefined {
    if (this.closed !== undefined) throw this.closed;
    if (this.open >= this.limit) return undefined;
    this.open++;
    return this.releaser();
  }

  /** Queues `claim` (first come, first served) and asks a pool to close an idle connection for it; returns its withdrawal. */
  claim(claim: Claim): () => void {
    if (this.closed !== undefined) throw this.closed;
    this.claims.push(claim);
    for (const closeIdle of this.idleClosers) if (closeIdle()) break;
    return () => {
      const at = this.claims.indexOf(claim);
      if (at >= 0) this.claims.splice(at, 1);
    };
  }

  /** A slot, waiting for one when all are taken; rejects with AbortError when `signal` fires first. */
  take(signal?: AbortSignal): Promise<Release> {
    const now = this.tryTake();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      if (signal?.aborted)
        return reject(new AbortError("aborted while waiting for a connection", signal.reason));
      const onAbort = () => {
        withdraw();
        reject(new AbortError("aborted while waiting for a connection", signal?.reason));
      };
      const withdraw = this.claim({
        grant: (release) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(release);
          return true;
        },
        fail: (err) => {
          signal?.removeEventListener("abort", onAbort);
          reject(err);
        },
      });
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Registers how a pool closes one of its idle connections (false when it has none). */
  onContention(closeIdle: () => boolean): void {
    this.idleClosers.push(closeIdle);
  }

  /** Fails every waiting claim and any later one (the client was destroyed). */
  close(): void {
    this.closed = new Error("the S3 client was destroyed");
    for (const claim of this.claims.splice(0)) claim.fail(this.closed);
  }

  private releaser(): Release {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.open--;
      this.grant();
    };
  }

  private grant(): void {
    while (this.open < this.limit) {
      const claim = this.claims.shift();
      if (claim === undefined) return;
      this.open++;
      const release = this.releaser();
      if (!claim.grant(release)) release();
    }
  }
}
