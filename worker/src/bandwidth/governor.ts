import { AbortError } from "../errors.js";
import { type Logger, silentLogger } from "../log/index.js";
import { type BandwidthLimit, type BandwidthLimitsFile, compileBandwidth } from "./schedule.js";
import { type BandwidthShares, wholeLimit } from "./shares.js";
import { type PaceClock, systemClock, TokenBucket } from "./token-bucket.js";

/**
 * Waits until `bytes` may be moved; the transfer engine calls it before it reserves memory
 * for a part (or a small object) and before its GET. Rejects with an AbortError on `signal`.
 */
export type Pace = (bytes: number, signal?: AbortSignal) => Promise<void>;

/** What the governor needs of a migration. */
export interface PacedMigration {
  name: string;
  limits: BandwidthLimitsFile;
}

/** Options of {@link BandwidthGovernor}. */
export interface BandwidthGovernorOptions {
  /** Where leases are kept. @defaultValue {@link wholeLimit}: this process takes the whole limit */
  shares?: BandwidthShares;
  /** This process's lease holder id (the runner's worker id). */
  workerId: string;
  /**
   * A dead worker's share returns within this long: leases are renewed (and the others
   * re-read) every quarter of it and written to expire after three quarters.
   */
  leaseSeconds: number;
  /**
   * Between renewals the live leases are re-read this often (one GetItem), so a worker that
   * joins is counted by the others within this long; a worker that joins others waits this
   * long before its first bytes, so the fleet never runs a joiner's share over the limit.
   * @defaultValue 2, or a quarter of the lease period if shorter
   */
  rereadSeconds?: number;
  /** @defaultValue the system clock */
  clock?: PaceClock;
  /** Renew on a timer of its own; tests turn it off and call {@link BandwidthGovernor.renewNow}. @defaultValue true */
  autoRenew?: boolean;
  logger?: Logger;
}

/** One migration's limiter in this process. */
class Lane {
  limit: BandwidthLimit;
  limitKey: string;
  /** Live leases as last read; `undefined` until the first renewal succeeds. */
  leases: number | undefined;
  /** Set while this process holds a lease (first renewal done, not released). */
  holding = false;
  acquiring: Promise<void> | undefined;
  lastUse = 0;
  /** When the lease was last written. */
  renewedAt = 0;
  readonly bucket: TokenBucket;

  constructor(limit: BandwidthLimit, limitKey: string, clock: PaceClock) {
    this.limit = limit;
    this.limitKey = limitKey;
    this.bucket = new TokenBucket({ rate: () => this.share(clock.now()), clock });
  }

  /** This process's share at `now`: the fleet-wide limit over the live leases. */
  share(now: number): number | undefined {
    const fleet = this.limit.limitAt(now);
    return fleet === undefined ? undefined : fleet / (this.leases ?? 1);
  }
}

/** Waits for `p`, or rejects at once when `signal` fires (leaving `p` to settle alone). */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return p;
  if (signal.aborted) return Promise.reject(new AbortError("aborted while pacing", signal.reason));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new AbortError("aborted while pacing", signal.reason));
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

const bandwidthKey = (l: BandwidthLimitsFile) =>
  JSON.stringify([l.bandwidth ?? null, l.bandwidthSchedule ?? null]);

/**
 * The bandwidth limits of one process: per migration, a token bucket paced at this
 * process's share of the migration's fleet-wide limit (from its schedule at the moment),
 * the share being the limit over the workers that hold a lease on the migration. A process
 * takes a lease when it first paces bytes of a migration, renews it every quarter of the
 * lease period (reading the others' at the same time), and gives it back once it has moved
 * nothing of that migration for a whole period, or on {@link close}. Renewals run on their
 * own timer, apart from copies and heartbeats; a failed renewal keeps the last share.
 */
export class BandwidthGovernor {
  readonly #o: Required<Omit<BandwidthGovernorOptions, "logger">> & { logger: Logger };
  readonly #lanes = new Map<string, Lane>();
  #timer: NodeJS.Timeout | undefined;
  /** Aborted by {@link close}: first leases still being retried give up. */
  #closing = new AbortController();
  #renewing = false;

  constructor(options: BandwidthGovernorOptions) {
    this.#o = {
      shares: wholeLimit,
      rereadSeconds: Math.min(2, options.leaseSeconds / 4),
      clock: systemClock,
      autoRenew: true,
      logger: silentLogger,
      ...options,
    };
  }

  get #leaseMs(): number {
    return this.#o.leaseSeconds * 1000;
  }

  /**
   * The pace of `migration`'s copies in this process, or `undefined` when it sets no
   * bandwidth limit. Call per copy: a changed limit (migrations are re-read) takes effect
   * at the next call, keeping the lease and the bucket.
   */
  pacerFor(migration: PacedMigration): Pace | undefined {
    const key = bandwidthKey(migration.limits);
    let lane = this.#lanes.get(migration.name);
    if (lane === undefined || lane.limitKey !== key) {
      const { limit } = compileBandwidth(migration.limits);
      // a limit that cannot be compiled never passed validation; nothing to pace
      if (limit === undefined || limit.unlimited) {
        // the limit was lifted: its lease goes back now rather than after a period
        if (lane?.holding) void this.#release(migration.name, lane);
        this.#lanes.delete(migration.name);
        return undefined;
      }
      if (lane === undefined) {
        lane = new Lane(limit, key, this.#o.clock);
        this.#lanes.set(migration.name, lane);
      } else {
        lane.limit = limit;
        lane.limitKey = key;
      }
    }
    const l = lane;
    return async (bytes, signal) => {
      l.lastUse = this.#o.clock.now();
      if (!l.holding) await untilAborted(this.#acquire(migration.name, l), signal);
      await l.bucket.take(bytes, signal);
    };
  }

  /** This process's current share of `migration`'s limit, bytes per second (`undefined`: unlimited or not paced). */
  shareOf(migration: string): number | undefined {
    return this.#lanes.get(migration)?.share(this.#o.clock.now());
  }

  /** Live leases on `migration` as last read by this process. */
  leasesOf(migration: string): number | undefined {
    return this.#lanes.get(migration)?.leases;
  }

  /** The first lease of a lane: retried every few seconds until it is written. */
  #acquire(name: string, lane: Lane): Promise<void> {
    const closing = this.#closing.signal;
    lane.acquiring ??= (async () => {
      try {
        for (let attempt = 0; ; attempt++) {
          if (await this.#renew(name, lane)) break;
          await this.#o.clock.sleep(Math.min(5000, 500 * 2 ** attempt), closing);
        }
        lane.holding = true;
        this.#startTimer();
        // The others hold the whole limit among themselves until they count this lease at
        // their next re-read: taking a share before then would run the fleet over the limit.
        if ((lane.leases ?? 1) > 1) await this.#o.clock.sleep(this.#o.rereadSeconds * 1000, closing);
      } finally {
        lane.acquiring = undefined;
      }
    })();
    return lane.acquiring;
  }

  /** Renews one lane's lease and reads the count; false when the ledger could not be reached. */
  async #renew(name: string, lane: Lane): Promise<boolean> {
    const now = this.#o.clock.now();
    try {
      lane.leases = await this.#o.shares.renew(name, this.#o.workerId, now + (this.#leaseMs * 3) / 4, now);
      lane.renewedAt = now;
      return true;
    } catch (err) {
      this.#o.logger.warn(
        { migration: name, err: (err as Error).message, leases: lane.leases },
        "bandwidth lease not renewed; keeping the last share",
      );
      return false;
    }
  }

  #startTimer(): void {
    if (!this.#o.autoRenew || this.#timer !== undefined) return;
    this.#timer = setInterval(() => void this.renewNow(), this.#o.rereadSeconds * 1000);
    // renewals never keep a finished process alive
    this.#timer.unref();
  }

  /**
   * One round of the timer: every lease held is renewed once a quarter of the lease period
   * has passed since its last renewal, and otherwise the live leases are only re-read; a
   * lane idle for a whole lease period, with nothing waiting, gives its lease back.
   */
  async renewNow(): Promise<void> {
    // a slow ledger must not pile rounds on one another
    if (this.#renewing) return;
    this.#renewing = true;
    try {
      await this.#round();
    } finally {
      this.#renewing = false;
    }
  }

  async #round(): Promise<void> {
    const now = this.#o.clock.now();
    await Promise.all(
      [...this.#lanes].map(async ([name, lane]) => {
        if (!lane.holding) return;
        if (now - lane.lastUse >= this.#leaseMs && lane.bucket.waiting === 0) {
          await this.#release(name, lane);
          return;
        }
        if (now - lane.renewedAt >= this.#leaseMs / 4) {
          await this.#renew(name, lane);
          return;
        }
        try {
          lane.leases = await this.#o.shares.count(name, now);
        } catch (err) {
          this.#o.logger.warn(
            { migration: name, err: (err as Error).message },
            "bandwidth leases not re-read",
          );
        }
      }),
    );
  }

  async #release(name: string, lane: Lane): Promise<void> {
    lane.holding = false;
    lane.leases = undefined;
    try {
      await this.#o.shares.release(name, this.#o.workerId);
    } catch (err) {
      // it expires by itself within the lease period
      this.#o.logger.warn({ migration: name, err: (err as Error).message }, "bandwidth lease not released");
    }
  }

  /** Stops renewing and gives every lease back (the runner's last step; pacing again takes a new one). */
  async close(): Promise<void> {
    this.#closing.abort(new AbortError("bandwidth governor closed"));
    this.#closing = new AbortController();
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await Promise.all(
      [...this.#lanes].filter(([, l]) => l.holding).map(([name, l]) => this.#release(name, l)),
    );
  }
}
