import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, inject, it } from "vitest";
import {
  BandwidthGovernor,
  DynamoBandwidthShares,
  leaseKey,
  type PaceClock,
} from "../../../worker/src/bandwidth/index.js";
import type { Job } from "../../../worker/src/job/index.js";
import { dynamoFor } from "../../emulator/clients.js";
import { createTestDynamoLedger } from "../../support/ledgers.js";

const { global } = inject("emulator");
const MB = 1e6;

/** One clock for the fleet, moved by the test; nothing here sleeps. */
function fleetClock(start: number): PaceClock & { advance(ms: number): void } {
  let now = start;
  return {
    now: () => now,
    advance(ms) {
      now += ms;
    },
    sleep: async (ms) => {
      now += ms;
    },
  };
}

describe("fleet-wide bandwidth shares through leases in the ledger table", () => {
  it("three workers take a third each; a dead worker's share returns within one lease period", async () => {
    const { ledger, tableName, doc } = await createTestDynamoLedger(dynamoFor(global));
    const clock = fleetClock(Date.parse("2027-03-15T00:00:00Z"));
    const shares = new DynamoBandwidthShares({ client: doc, tableName });
    const worker = (id: string) =>
      new BandwidthGovernor({ shares, workerId: id, leaseSeconds: 60, clock, autoRenew: false });
    const [a, b, c] = [worker("w-a"), worker("w-b"), worker("w-c")];
    const migration = { name: "m", limits: { bandwidth: "30MB/s" } };
    // each takes its lease with its first bytes; the first to come sees itself alone
    for (const g of [a, b, c]) await g.pacerFor(migration)?.(1);
    expect(a.leasesOf("m")).toBe(1);
    expect(c.leasesOf("m")).toBe(3);
    // past the next re-read (2 s), before any renewal: a third each
    clock.advance(5_000);
    for (const g of [a, b, c]) await g.renewNow();
    for (const g of [a, b, c]) expect(g.shareOf("m")).toBe(10 * MB);
    clock.advance(10_000);
    for (const g of [a, b, c]) await g.renewNow();

    // c dies (renews no more); a and b go on renewing every quarter period and keep pacing
    for (let round = 0; round < 4; round++) {
      clock.advance(15_000);
      for (const g of [a, b]) {
        await g.pacerFor(migration)?.(1);
        await g.renewNow();
      }
    }
    // 60 s (one lease period) after c's last renewal: its share is back
    expect(a.shareOf("m")).toBe(15 * MB);
    expect(b.shareOf("m")).toBe(15 * MB);
    const item = await doc.send(new GetCommand({ TableName: tableName, Key: leaseKey("m") }));
    // the expired lease is pruned from the record
    expect(Object.keys(item.Item?.leases ?? {}).sort()).toEqual(["w-a", "w-b"]);

    // b stops: its lease goes back at once, and a takes the whole limit at its next renewal
    await b.close();
    clock.advance(15_000);
    await a.pacerFor(migration)?.(1);
    await a.renewNow();
    expect(a.shareOf("m")).toBe(30 * MB);

    // the record is not an object, a counter or a migration to any report
    const job: Job = {
      migration: "m",
      source: { bucket: "s", key: "k", size: 5 },
      destination: { bucket: "d", key: "k" },
    };
    expect(await ledger.get(job)).toBeUndefined();
    const summary = await ledger.summary("m");
    for (const t of Object.values(summary.counters)) expect(t).toEqual({ objects: 0, bytes: 0 });
    expect(summary.hours).toEqual([]);
    expect(summary.failures).toEqual([]);
    expect(await ledger.migrations()).toEqual([]);
    await a.close();
  });

  it("two workers creating the record at once both hold a lease", async () => {
    const { tableName, doc } = await createTestDynamoLedger(dynamoFor(global));
    const shares = new DynamoBandwidthShares({ client: doc, tableName });
    const now = Date.now();
    const counts = await Promise.all(
      ["x", "y", "z"].map((id) => shares.renew("race", id, now + 45_000, now)),
    );
    expect(Math.max(...counts)).toBe(3);
    expect(await shares.renew("race", "x", now + 60_000, now)).toBe(3);
  });
});
