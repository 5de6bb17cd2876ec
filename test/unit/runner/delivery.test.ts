import { describe, expect, it } from "vitest";
import { SqliteLedger } from "../../../worker/src/ledger/index.js";
import { silentLogger } from "../../../worker/src/log/index.js";
import { SqliteQueue } from "../../../worker/src/queue/index.js";
import { recordLastDelivery } from "../../../worker/src/runner/index.js";

const job = {
  migration: "m",
  source: { bucket: "src", key: "k", size: 5, etag: "e" },
  destination: { bucket: "dst", key: "k" },
};
const run = { workerId: "w", attempt: 2, startedAt: "2026-12-01T00:00:00.000Z" };

describe("the last delivery a queue allows", () => {
  it("is recorded failed with the reason before it is worked on, so a job the queue moves away is never lost", async () => {
    const ledger = new SqliteLedger({ path: ":memory:" });
    const queue = new SqliteQueue({ path: ":memory:", maxReceiveCount: 2 });
    await queue.send(await ledger.enqueue([job], new Date()));
    // a worker that crashed: the first delivery ends without an outcome
    const [first] = await queue.receive({ waitSeconds: 0, visibilitySeconds: 0 });
    if (!first) throw new Error("delivery expected");
    await recordLastDelivery(ledger, first, [job], await queue.receiveLimit(), run, silentLogger);
    expect(await ledger.get(job)).toMatchObject({ status: "queued" });
    const [second] = await queue.receive({ waitSeconds: 0, visibilitySeconds: 0 });
    if (!second) throw new Error("delivery expected");
    expect(second.receiveCount).toBe(2);
    await recordLastDelivery(ledger, second, [job], await queue.receiveLimit(), run, silentLogger);
    expect(await ledger.get(job)).toMatchObject({
      status: "failed",
      attempts: 0,
      lastError: expect.stringMatching(/delivered 2 times without an outcome/),
    });
    // that worker crashed too: the queue dead-letters it, and the ledger already says why
    expect(await queue.receive({ waitSeconds: 0 })).toEqual([]);
    expect((await queue.depth()).dead).toBe(1);
    expect((await ledger.summary("m")).counters.failed.objects).toBe(1);
  });

  it("writes nothing when the queue has no receive limit", async () => {
    const ledger = new SqliteLedger({ path: ":memory:" });
    await ledger.enqueue([job], new Date());
    const message = { id: "1", receipt: "r", body: "{}", receiveCount: 99, handedBack: 0 };
    await recordLastDelivery(ledger, message, [job], undefined, run, silentLogger);
    expect(await ledger.get(job)).toMatchObject({ status: "queued" });
  });
});
