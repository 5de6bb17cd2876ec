import { AbortError } from "../../errors.js";
import { Connection, type ConnectionTimeouts, type Origin } from "./connection.js";

interface Waiter {
  resolve(conn: Connection | undefined): void;
  reject(err: Error): void;
}

interface OriginState {
  /** Parked connections, most recently used last. */
  idle: Connection[];
  /** Connections open or being opened (idle ones included). */
  open: number;
  waiters: Waiter[];
}

/**
 * Keep-alive connections per origin, at most `maxSockets` open to each: a request waits
 * for a free one rather than opening more, like Node's http.Agent with the same limit.
 */
export class ConnectionPool {
  private readonly origins = new Map<string, OriginState>();
  private destroyed = false;

  constructor(
    private readonly maxSockets: number,
    private readonly timeouts: ConnectionTimeouts,
  ) {}

  /** A connection to `origin`, reused when one is parked; give it back with `release`. */
  async acquire(origin: Origin, signal?: AbortSignal): Promise<Connection> {
    if (this.destroyed) throw new Error("ConnectionPool: used after destroy()");
    const state = this.stateOf(origin);
    for (;;) {
      const parked = state.idle.pop();
      if (parked !== undefined) {
        if (parked.reusable) return parked;
        continue;
      }
      if (state.open < this.maxSockets) return this.openFor(state, origin, signal);
      // `undefined` means a slot freed up (a connection closed): open one then.
      const handed = await this.wait(state, signal);
      if (handed !== undefined) return handed;
    }
  }

  /** Gives a connection back: parked for reuse when it can be, else closed. */
  release(conn: Connection): void {
    const state = this.stateOf(conn.origin);
    if (!conn.reusable || this.destroyed) {
      conn.close();
      return;
    }
    const waiter = state.waiters.shift();
    if (waiter !== undefined) waiter.resolve(conn);
    else {
      conn.park();
      state.idle.push(conn);
    }
  }

  /** Closes every connection; waiting requests fail. */
  destroy(): void {
    this.destroyed = true;
    for (const state of this.origins.values()) {
      for (const conn of state.idle) conn.close();
      state.idle = [];
      for (const w of state.waiters.splice(0)) w.reject(new Error("ConnectionPool destroyed"));
    }
  }

  private async openFor(state: OriginState, origin: Origin, signal?: AbortSignal): Promise<Connection> {
    state.open++;
    let conn: Connection;
    try {
      conn = await Connection.open(origin, this.timeouts, signal);
    } catch (err) {
      this.slotFreed(state);
      throw err;
    }
    conn.onClose = () => {
      const at = state.idle.indexOf(conn);
      if (at >= 0) state.idle.splice(at, 1);
      this.slotFreed(state);
    };
    return conn;
  }

  private slotFreed(state: OriginState): void {
    state.open--;
    state.waiters.shift()?.resolve(undefined);
  }

  private wait(state: OriginState, signal?: AbortSignal): Promise<Connection | undefined> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted)
        return reject(new AbortError("aborted while waiting for a connection", signal.reason));
      const waiter: Waiter = {
        resolve: (conn) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(conn);
        },
        reject: (err) => {
          signal?.removeEventListener("abort", onAbort);
          reject(err);
        },
      };
      const onAbort = () => {
        const at = state.waiters.indexOf(waiter);
        if (at >= 0) state.waiters.splice(at, 1);
        waiter.reject(new AbortError("aborted while waiting for a connection", signal?.reason));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      state.waiters.push(waiter);
    });
  }

  private stateOf(origin: Origin): OriginState {
    const key = `${origin.tls ? "https" : "http"}://${origin.host}:${origin.port}`;
    let state = this.origins.get(key);
    if (state === undefined) {
      state = { idle: [], open: 0, waiters: [] };
      this.origins.set(key, state);
    }
    return state;
  }
}
