/**
 * Where the workers of a fleet agree on their shares of a migration's bandwidth: each holds
 * a lease per migration it is copying, and takes limit / live leases.
 */
export interface BandwidthShares {
  /**
   * Records (or renews) `workerId`'s lease on `migration` until `expiresAt` (ms since the
   * epoch) and returns how many leases are live at `now`, this one included.
   */
  renew(migration: string, workerId: string, expiresAt: number, now: number): Promise<number>;
  /** How many leases on `migration` are live at `now` (a read, cheaper than a renewal). */
  count(migration: string, now: number): Promise<number>;
  /** Gives the lease back at once, so the others' shares grow at their next renewal. */
  release(migration: string, workerId: string): Promise<void>;
}

/** One process alone (local mode, `longbow migrate`): it takes the whole limit. */
export const wholeLimit: BandwidthShares = {
  renew: async () => 1,
  count: async () => 1,
  release: async () => {},
};
