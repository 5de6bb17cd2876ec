import { describe, expect, it } from "vitest";
import { BandwidthGovernor, type BandwidthShares } from "../../../worker/src/bandwidth/index.js";
import { simulatedClock } from "./simulated-clock.js";

const MB = 1e6;

/** Leases in memory with the DynamoDB record's rules: a map of expiries, expired ones not counted. */
function memoryShares(): BandwidthShares & { leases: Map<string, number> } {
  const leases = new Map<string, number>();
  return {
    leases,
    renew: async (_m, id, expiresAt, now) => {
      leases.set(id, expiresAt);
      return [...leases.values()].filter((e) => e > now).length;
    },
    count: async (_m, now) => [...leases.values()].filter((e) => e > now).length,
    release: async (_m, id) => {
      leases.delete(id);
    },
  };
}

describe("BandwidthGovernor", () => {
  it("alone (local mode) a process takes the whole limit", async () => {
    const clock = simulatedClock();
    const g = new BandwidthGovernor({ workerId: "local", leaseSeconds: 60, clock, autoRenew: false });
    const pace = g.pacerFor({ name: "m", limits: { bandwidth: "20MB/s" } });
    await pace?.(1);
    expect(g.shareOf("m")).toBe(20 * MB);
    expect(g.pacerFor({ name: "n", limits: {} })).toBeUndefined();
  });

  it("the share follows the schedule across its boundary", async () => {
    // Monday 2027-03-15 08:59 UTC
    const clock = simulatedClock(Date.parse("2027-03-15T08:59:00Z"));
    const shares = memoryShares();
    const g = new BandwidthGovernor({ shares, workerId: "a", leaseSeconds: 60, clock, autoRenew: false });
    await shares.renew("m", "b", clock.now() + 1e9, clock.now());
    const limits = {
      bandwidth: "100MB/s",
      bandwidthSchedule: {
        timeZone: "UTC",
        windows: [{ days: "weekdays" as const, from: "09:00", to: "18:00", bandwidth: "20MB/s" }],
      },
    };
    await g.pacerFor({ name: "m", limits })?.(1);
    expect(g.shareOf("m")).toBe(50 * MB);
    clock.advance(60_000);
    expect(g.shareOf("m")).toBe(10 * MB);
  });

  it("an idle lane gives its lease back after a lease period, and takes one again when paced", async () => {
    const clock = simulatedClock();
    const shares = memoryShares();
    const g = new BandwidthGovernor({ shares, workerId: "a", leaseSeconds: 60, clock, autoRenew: false });
    const pace = g.pacerFor({ name: "m", limits: { bandwidth: "20MB/s" } });
    await pace?.(1);
    expect(shares.leases.get("a")).toBe(45_000);
    clock.advance(15_000);
    await g.renewNow();
    expect(shares.leases.get("a")).toBe(60_000);
    clock.advance(45_000);
    await g.renewNow();
    expect(shares.leases.has("a")).toBe(false);
    await pace?.(1);
    expect(shares.leases.has("a")).toBe(true);
    await g.close();
    expect(shares.leases.has("a")).toBe(false);
  });

  it("a lease that cannot be written is retried; pacing waits for it but stays abortable", async () => {
    const clock = simulatedClock();
    let failures = 2;
    const shares: BandwidthShares = {
      renew: async () => {
        if (failures-- > 0) throw new Error("ledger unreachable");
        return 2;
      },
      count: async () => 2,
      release: async () => {},
    };
    const g = new BandwidthGovernor({ shares, workerId: "a", leaseSeconds: 60, clock, autoRenew: false });
    await g.pacerFor({ name: "m", limits: { bandwidth: "20MB/s" } })?.(1);
    expect(g.shareOf("m")).toBe(10 * MB);
    expect(clock.sleeps.length).toBeGreaterThanOrEqual(2);
    const stop = new AbortController();
    stop.abort(new Error("stop"));
    await expect(
      g.pacerFor({ name: "m2", limits: { bandwidth: "20MB/s" } })?.(1, stop.signal),
    ).rejects.toThrow(/aborted/);
  });

  it("close() ends a first lease still being retried (a stopping worker does not wait for the ledger)", async () => {
    const shares: BandwidthShares = {
      renew: async () => {
        throw new Error("ledger unreachable");
      },
      count: async () => 1,
      release: async () => {},
    };
    // real sleeps here would keep the test waiting: this clock parks every sleep until aborted
    const clock = {
      now: () => 0,
      sleep: (_ms: number, signal?: AbortSignal) =>
        new Promise<void>((_resolve, reject) => {
          if (signal?.aborted) reject(signal.reason);
          signal?.addEventListener("abort", () => reject(signal.reason));
        }),
    };
    const g = new BandwidthGovernor({ shares, workerId: "a", leaseSeconds: 60, clock, autoRenew: false });
    const paced = g.pacerFor({ name: "m", limits: { bandwidth: "20MB/s" } })?.(1);
    await g.close();
    await expect(paced).rejects.toThrow(/closed/);
  });

  it("a limit lifted from a migration stops its pacing", async () => {
    const clock = simulatedClock();
    const shares = memoryShares();
    const g = new BandwidthGovernor({ shares, workerId: "a", leaseSeconds: 60, clock, autoRenew: false });
    await g.pacerFor({ name: "m", limits: { bandwidth: "20MB/s" } })?.(1);
    expect(g.pacerFor({ name: "m", limits: {} })).toBeUndefined();
    await Promise.resolve();
    expect(shares.leases.has("a")).toBe(false);
  });
});
