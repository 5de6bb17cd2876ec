import { AbortError } from "../../errors.js";
import type { Claim, Release, SocketBudget } from "../socket-budget.js";
import { Connection, type ConnectionTimeouts, type Origin } from "./connection.js";

interface Waiter {
  /** Its place in the budget's queue, for a slot. */
  claim: Claim;
  /** A connection of the origin came back and is handed over. */
  handOver(conn: Connection): void;
  reject(err: Error): void;
}

interface OriginState {
  /** Parked connections, most recently used last. */
  idle: Connection[];
  waiters: Waiter[];
}

/**
 * Keep-alive connections per origin, opened within the client's socket budget: a request
 * takes a parked connection of its origin, else opens one with a free slot, else waits
 * for whichever comes first, a connection of its origin coming back or a slot. Waits are
 * served in order across the whole client: a connection coming back goes to a waiter of
 * its origin only when that waiter is next in the budget's queue, else it is closed and its
 * slot goes to whoever is.
 */
export class ConnectionPool {
  private readonly origins = new Map<string, OriginState>();
  private destroyed = false;

  constructor(
    private readonly budget: SocketBudget,
    private readonly timeouts: ConnectionTimeouts,
  ) {
    budget.onContention(() => this.closeOneIdle());
  }

  /** A connection to `origin`, reused when one is parked; give it back with `release`. */
  async acquire(origin: Origin, signal?: AbortSignal): Promise<Connection> {
    if (this.destroyed) throw new Error("ConnectionPool: used after destroy()");
    const state = this.stateOf(origin);
    for (let parked = state.idle.pop(); parked !== undefined; parked = state.idle.pop()) {
      if (parked.reusable) return parked;
    }
    const got = this.budget.tryTake() ?? (await this.wait(state, signal));
    return got instanceof Connection ? got : this.openFor(state, origin, got, signal);
  }

  /** Gives a connection back: to the next waiter if it wants this origin, else parked, else closed. */
  release(conn: Connection): void {
    const waiter = this.stateOf(conn.origin).waiters[0];
    const reusable = conn.reusable && !this.destroyed;
    if (reusable && waiter !== undefined && this.budget.isNext(waiter.claim)) waiter.handOver(conn);
    // Parked, it would keep a slot another request of the client waits for.
    else if (!reusable || this.budget.contended) conn.close();
    else {
      conn.park();
      this.stateOf(conn.origin).idle.push(conn);
    }
  }

  /** Closes every connection; waiting requests fail. */
  destroy(): void {
    this.destroyed = true;
    for (const state of this.origins.values()) {
      for (const conn of state.idle.splice(0)) conn.close();
      for (const w of state.waiters.splice(0)) w.reject(new Error("ConnectionPool destroyed"));
    }
  }

  private closeOneIdle(): boolean {
    for (const state of this.origins.values()) {
      const oldest = state.idle.shift();
      if (oldest !== undefined) {
        oldest.close();
        return true;
      }
    }
    return false;
  }

  private async openFor(
    state: OriginState,
    origin: Origin,
    release: Release,
    signal?: AbortSignal,
  ): Promise<Connection> {
    let conn: Connection;
    try {
      conn = await Connection.open(origin, this.timeouts, signal);
    } catch (err) {
      release();
      throw err;
    }
    conn.onClose = () => {
      const at = state.idle.indexOf(conn);
      if (at >= 0) state.idle.splice(at, 1);
      release();
    };
    return conn;
  }

  private wait(state: OriginState, signal?: AbortSignal): Promise<Connection | Release> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted)
        return reject(new AbortError("aborted while waiting for a connection", signal.reason));
      const settle = () => {
        signal?.removeEventListener("abort", onAbort);
        withdraw();
        const at = state.waiters.indexOf(waiter);
        if (at >= 0) state.waiters.splice(at, 1);
      };
      const waiter: Waiter = {
        claim: {
          grant: (release) => {
            settle();
            resolve(release);
            return true;
          },
          fail: (err) => waiter.reject(err),
        },
        handOver: (conn) => {
          settle();
          resolve(conn);
        },
        reject: (err) => {
          settle();
          reject(err);
        },
      };
      const onAbort = () =>
        waiter.reject(new AbortError("aborted while waiting for a connection", signal?.reason));
      state.waiters.push(waiter);
      const withdraw = this.budget.claim(waiter.claim);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  private stateOf(origin: Origin): OriginState {
    const key = `${origin.tls ? "https" : "http"}://${origin.host}:${origin.port}`;
    let state = this.origins.get(key);
    if (state === undefined) {
      state = { idle: [], waiters: [] };
      this.origins.set(key, state);
    }
    return state;
  }
}
