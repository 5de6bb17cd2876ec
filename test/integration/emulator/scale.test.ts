import { describe, expect, inject, it } from "vitest";
import type { Job } from "../../../worker/src/job/index.js";
import { dynamoFor, sqsFor } from "../../emulator/clients.js";
import { createTestDynamoLedger } from "../../support/ledgers.js";
import { createTestSqsQueue } from "../../support/sqs-queue.js";

const { global } = inject("emulator");
const jobs = (n: number): Job[] =>
  Array.from({ length: n }, (_, i) => ({
    migration: "scale",
    source: { bucket: "src", key: `k/${String(i).padStart(6, "0")}`, size: 1024, etag: "e" },
    destination: { bucket: "dst", key: `k/${i}` },
  }));

/** Runs `work` over `items` with `limit` at once. */
async function inParallel<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

describe("the emulators the project starts hold 20,000 jobs (longbow_moto_patches.py)", () => {
  it("queue 20,000 messages, deliver each once and delete them, and count them without a scan per request", async () => {
    const { queue } = await createTestSqsQueue(sqsFor(global), { visibilitySeconds: 300 });
    const all = jobs(20_000);
    const batches = Array.from({ length: all.length / 100 }, (_, i) => all.slice(i * 100, (i + 1) * 100));
    await inParallel(batches, 8, (b) => queue.send(b));
    expect(await queue.depth()).toMatchObject({ visible: 20_000, inFlight: 0 });
    const seen = new Set<string>();
    await inParallel(Array.from({ length: 8 }), 8, async () => {
      for (;;) {
        const got = await queue.receive({ max: 10, waitSeconds: 0 });
        if (got.length === 0) return;
        for (const m of got) seen.add((JSON.parse(m.body) as Job).source.key);
        await Promise.all(got.map((m) => queue.delete(m)));
      }
    });
    expect(seen.size).toBe(20_000);
    expect(await queue.depth()).toEqual({ visible: 0, inFlight: 0, dead: 0 });
  }, 300_000);

  it("record 20,000 objects in the DynamoDB ledger with counters that agree", async () => {
    const { ledger } = await createTestDynamoLedger(dynamoFor(global));
    const all = jobs(20_000);
    const batches = Array.from({ length: all.length / 100 }, (_, i) => all.slice(i * 100, (i + 1) * 100));
    let accepted = 0;
    await inParallel(batches, 8, async (b) => {
      const sent = await ledger.enqueue(b, new Date());
      accepted += sent.length;
    });
    expect(accepted).toBe(20_000);
    const s = await ledger.summary("scale");
    expect(s.counters.pending).toEqual({ objects: 20_000, bytes: 20_000 * 1024 });
  }, 300_000);
});
