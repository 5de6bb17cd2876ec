import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import type { Job } from "../../../worker/src/job/index.js";
import {
  type Queue,
  QueueError,
  type QueueMessage,
  SqliteQueue,
  type SqsQueue,
} from "../../../worker/src/queue/index.js";
import { sqsFor } from "../../emulator/clients.js";
import { createTestSqsQueue } from "../../support/sqs-queue.js";

const { global } = inject("emulator");
const dir = mkdtempSync(join(tmpdir(), "longbow-queue-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const job = (key: string): Job => ({
  migration: "m",
  source: { bucket: "src", key, size: 1, etag: "e" },
  destination: { bucket: "dst", key },
});
const keyOf = (body: string) => (JSON.parse(body) as Job).source.key;

/** Each implementation under the same contract; maxReceiveCount 3, default visibility 30 s. */
const implementations: [string, () => Promise<Queue>][] = [
  [
    "SQLite",
    async () =>
      new SqliteQueue({
        path: join(dir, `${Math.random()}.db`),
        visibilitySeconds: 30,
        maxReceiveCount: 3,
        pollIntervalMs: 20,
      }),
  ],
  [
    "SQS",
    async () =>
      (await createTestSqsQueue(sqsFor(global), { maxReceiveCount: 3, visibilitySeconds: 30 })).queue,
  ],
];

describe.each(implementations)("%s queue", (_name, make) => {
  it("delivers every sent job once, beyond one batch of 10, until visibility ends", async () => {
    const q = await make();
    const keys = Array.from({ length: 23 }, (_, i) => `k${i}`);
    await q.send(keys.map(job));
    const got: string[] = [];
    for (let i = 0; i < 10 && got.length < keys.length; i++) {
      const batch = await q.receive({ max: 10, waitSeconds: 1 });
      expect(batch.length).toBeLessThanOrEqual(10);
      got.push(...batch.map((m) => keyOf(m.body)));
    }
    expect(got.sort()).toEqual([...keys].sort());
    expect(await q.receive({ waitSeconds: 0 })).toEqual([]);
    expect(await q.depth()).toEqual({ visible: 0, inFlight: 23, dead: 0 });
    await q.close();
  });

  it("forgets a deleted message and redelivers a released one with a higher receive count", async () => {
    const q = await make();
    await q.send([job("a"), job("b")]);
    const first = await q.receive({ max: 10, waitSeconds: 1 });
    expect(first.map((m) => m.receiveCount)).toEqual([1, 1]);
    const [a, b] = [first.find((m) => keyOf(m.body) === "a"), first.find((m) => keyOf(m.body) === "b")];
    if (!a || !b) throw new Error("both messages expected");
    await q.delete(a);
    await q.release(b);
    const again = await q.receive({ max: 10, waitSeconds: 1 });
    expect(again.map((m) => [keyOf(m.body), m.receiveCount, m.id])).toEqual([["b", 2, b.id]]);
    await q.close();
  });

  it("makes a message visible again when its visibility timeout ends, unless extended", async () => {
    const q = await make();
    await q.send([job("slow"), job("lost")]);
    const msgs = await q.receive({ max: 10, waitSeconds: 1, visibilitySeconds: 1 });
    expect(msgs).toHaveLength(2);
    const slow = msgs.find((m) => keyOf(m.body) === "slow");
    if (!slow) throw new Error("slow expected");
    await q.extend(slow, 30);
    // the queue's own clock ends the visibility (SQS's, on the emulator): long polls until
    // something is back, bounded well past the 1 s
    let back: QueueMessage[] = [];
    for (let i = 0; i < 5 && back.length === 0; i++) back = await q.receive({ max: 10, waitSeconds: 2 });
    // both were hidden for 1 s by the same receive: the one back proves the other would be too
    expect(back.map((m) => keyOf(m.body))).toEqual(["lost"]);
    await q.close();
  });

  it("dead-letters a message after maxReceiveCount receives, and on request", async () => {
    const q = await make();
    await q.send([job("poison")]);
    for (let i = 1; i <= 3; i++) {
      const [m] = await q.receive({ waitSeconds: 1 });
      expect(m?.receiveCount).toBe(i);
      if (m) await q.release(m);
    }
    expect(await q.receive({ waitSeconds: 1 })).toEqual([]);
    await q.send([job("bad")]);
    const [bad] = await q.receive({ waitSeconds: 1 });
    if (!bad) throw new Error("bad expected");
    await q.deadLetter(bad, "NoSuchBucket: source bucket is gone");
    expect(await q.receive({ waitSeconds: 0 })).toEqual([]);
    expect(await q.depth()).toEqual({ visible: 0, inFlight: 0, dead: 2 });
    await q.close();
  });

  it("takes back an interrupted delivery without counting it, however often", async () => {
    const q = await make();
    await q.send([job("a")]);
    for (let i = 0; i < 5; i++) {
      const [m] = await q.receive({ max: 1, waitSeconds: 1 });
      if (!m) throw new Error("message expected");
      expect(m.receiveCount).toBe(1);
      // it was delivered before, though uncounted: a worker HEADs before writing again
      expect(m.handedBack).toBe(i);
      await q.putBack(m);
    }
    expect(await q.receiveLimit()).toBe(3);
    expect((await q.depth()).dead).toBe(0);
    const [last] = await q.receive({ max: 1, waitSeconds: 1 });
    expect(last && keyOf(last.body)).toBe("a");
    await q.close();
  });

  it("stops a long poll when its signal fires", async () => {
    const q = await make();
    const controller = new AbortController();
    const poll = q.receive({ waitSeconds: 20, signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    await expect(poll).rejects.toThrow(/abort/i);
    await q.close();
  });
});

describe("SQLite queue specifics", () => {
  it("rejects a stale receipt after the message was received again", async () => {
    const q = new SqliteQueue({ path: join(dir, "stale.db"), maxReceiveCount: 5 });
    await q.send([job("x")]);
    const [first] = await q.receive({ waitSeconds: 0, visibilitySeconds: 0 });
    const [second] = await q.receive({ waitSeconds: 0 });
    if (!first || !second) throw new Error("two deliveries expected");
    await expect(q.delete(first)).rejects.toBeInstanceOf(QueueError);
    await q.delete(second);
    await q.close();
  });

  it("hands in-flight messages out again after a crash when asked to, the killed delivery not counted", async () => {
    const q = new SqliteQueue({ path: join(dir, "crash.db") });
    await q.send([job("x"), job("y")]);
    await q.receive({ max: 1, waitSeconds: 0 });
    expect(await q.releaseInFlight()).toBe(1);
    expect((await q.receive({ max: 10, waitSeconds: 0 })).map((m) => m.receiveCount).sort()).toEqual([1, 1]);
    await q.close();
  });

  it("has no receive limit of its own when given Infinity (local mode)", async () => {
    const q = new SqliteQueue({ path: join(dir, "unlimited.db"), maxReceiveCount: Number.POSITIVE_INFINITY });
    await q.send([job("x")]);
    for (let i = 1; i <= 30; i++) {
      const [m] = await q.receive({ waitSeconds: 0, visibilitySeconds: 0 });
      expect(m?.receiveCount).toBe(i);
    }
    expect(await q.receiveLimit()).toBeUndefined();
    expect((await q.depth()).dead).toBe(0);
    await q.close();
  });

  it("names the option it rejects", () => {
    expect(() => new SqliteQueue({ path: ":memory:", maxReceiveCount: 0 })).toThrow(/maxReceiveCount/);
  });

  it("shares one file between two handles without double delivery", async () => {
    const path = join(dir, "shared.db");
    const [a, b] = [new SqliteQueue({ path }), new SqliteQueue({ path })];
    await a.send(Array.from({ length: 30 }, (_, i) => job(`s${i}`)));
    const got = await Promise.all([a, b, a, b].map((q) => q.receive({ max: 10, waitSeconds: 0 })));
    const ids = got.flat().map((m) => m.id);
    expect(new Set(ids).size).toBe(30);
    expect(ids).toHaveLength(30);
    await Promise.all([a.close(), b.close()]);
  });
});

describe("SQS queue specifics", () => {
  it("finds the dead-letter queue from the redrive policy", async () => {
    const { queue, deadLetterQueueUrl } = await createTestSqsQueue(sqsFor(global), { maxReceiveCount: 2 });
    expect(await (queue as SqsQueue).deadLetterQueueUrl()).toBe(deadLetterQueueUrl);
    expect(await (queue as SqsQueue).maxReceiveCount()).toBe(2);
  });
});

describe.each(implementations)("%s queue with part-range jobs", (_name, make) => {
  it("carries the range jobs of one object as separate messages beside object jobs", async () => {
    const q = await make();
    const layout: [number, number][] = [
      [5 << 20, 9_999],
      [123, 1],
    ];
    const ranges: Job[] = Array.from({ length: 3 }, (_, index) => ({
      ...job("giant"),
      range: {
        uploadId: "u1",
        index,
        count: 3,
        first: index * 64 + 1,
        last: index * 64 + 64,
        layout,
        mirrored: true,
        size: 9_999 * (5 << 20) + 123,
        sourceEtag: "abc-10000",
        verification: "source-etag",
      },
    }));
    await q.send([job("small"), ...ranges]);
    const got: Job[] = [];
    for (let i = 0; i < 5 && got.length < 4; i++) {
      got.push(...(await q.receive({ max: 10, waitSeconds: 1 })).map((m) => JSON.parse(m.body) as Job));
    }
    expect(got.filter((j) => j.range === undefined).map((j) => j.source.key)).toEqual(["small"]);
    expect(
      got.filter((j) => j.range !== undefined).sort((a, b) => (a.range?.index ?? 0) - (b.range?.index ?? 0)),
    ).toEqual(ranges);
    await q.close();
  });
});
