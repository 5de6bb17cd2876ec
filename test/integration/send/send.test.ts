import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { describe, expect, inject, it } from "vitest";
import { normalizeMigration } from "../../../worker/src/config/index.js";
import type { Job } from "../../../worker/src/job/index.js";
import { SqliteLedger } from "../../../worker/src/ledger/index.js";
import { planMigration } from "../../../worker/src/plan/index.js";
import { SqliteQueue } from "../../../worker/src/queue/index.js";
import { SendRefusedError, sendMigration } from "../../../worker/src/send/index.js";
import { s3For, uniqueBucket } from "../../emulator/clients.js";
import { bytesFor, createBucket, putObject } from "../../support/s3-objects.js";

const { global, china } = inject("emulator");
const [source, destination] = [s3For(global), s3For(china)];

async function setUp() {
  const [sb, db] = [uniqueBucket("send-src"), uniqueBucket("send-dst")];
  await createBucket(source, sb, global.region);
  await createBucket(destination, db, china.region);
  for (const k of ["a", "b/c", "b/d e", "skip.tmp", "same"])
    await putObject(source, sb, `p/${k}`, bytesFor(k, 100));
  await putObject(destination, db, "q/same", bytesFor("same", 100));
  const migration = normalizeMigration({
    name: "send-test",
    source: { bucket: sb, prefix: "p/", region: global.region },
    destination: { bucket: db, prefix: "q/", region: china.region },
    ignore: ["*.tmp"],
  });
  const queue = new SqliteQueue({ path: ":memory:" });
  const ledger = new SqliteLedger({ path: ":memory:" });
  return { migration, queue, ledger, base: { migration, source, destination, queue, ledger } };
}

const keysIn = async (queue: SqliteQueue) =>
  (await queue.receive({ max: 10, waitSeconds: 0 }))
    .map((m) => (JSON.parse(m.body) as Job).source.key)
    .sort();

describe("send", () => {
  it("queues new and changed objects once, records them and the compare time", async () => {
    const { queue, ledger, base } = await setUp();
    const at = new Date("2026-11-26T01:00:00Z");
    const r = await sendMigration({ ...base, now: () => at });
    expect(r.compared).toMatchObject({ new: 3, identical: 1, ignored: 1 });
    expect([r.sent, r.sentBytes, r.alreadyPending]).toEqual([3, 300, 0]);
    expect(r.plan.toCopy).toEqual({ objects: 3, bytes: 300 });
    expect(r.plan.classes.identical.objects).toBe(1);
    const s = await ledger.summary("send-test");
    expect(s.counters.pending).toEqual({ objects: 3, bytes: 300 });
    expect(s.lastCompareAt).toBe(at.toISOString());
    expect(await keysIn(queue)).toEqual(["p/a", "p/b/c", "p/b/d e"]);
  });

  it("does not send objects still pending while the queue holds work, and refuses when asked to", async () => {
    const { queue, ledger, base } = await setUp();
    await sendMigration(base);
    const again = await sendMigration(base);
    expect([again.sent, again.alreadyPending]).toEqual([0, 3]);
    await expect(sendMigration({ ...base, refuseWhenQueueNotEmpty: true })).rejects.toBeInstanceOf(
      SendRefusedError,
    );
    expect((await queue.depth()).visible).toBe(3);
    expect((await ledger.summary("send-test")).counters.pending.objects).toBe(3);
  });

  it("sends pending objects again once their messages are gone from the queue", async () => {
    const { queue, ledger, base } = await setUp();
    await sendMigration(base);
    for (const m of await queue.receive({ max: 10, waitSeconds: 0 })) await queue.delete(m);
    const r = await sendMigration(base);
    expect(r.sent).toBe(3);
    expect((await ledger.summary("send-test")).counters.pending.objects).toBe(3);
  });
});

describe("plan and send", () => {
  it("agree in etag mode on copies made in other parts than their source (the ledger knows what each was made from)", async () => {
    const { migration, ledger, base } = await setUp();
    const m = { ...migration, compare: "etag" as const };
    // p/a was copied earlier in other parts: same size, another ETag at the destination
    const body = bytesFor("a", 100);
    await putObject(
      destination,
      m.destination.bucket,
      "q/a",
      Buffer.concat([body.subarray(0, 99), Buffer.from("!")]),
    );
    const head = await source.send(new HeadObjectCommand({ Bucket: m.source.bucket, Key: "p/a" }));
    const job = {
      migration: m.name,
      source: { bucket: m.source.bucket, key: "p/a", size: 100, etag: (head.ETag ?? "").replaceAll('"', "") },
      destination: { bucket: m.destination.bucket, key: "q/a" },
    };
    await ledger.enqueue([job], new Date());
    const run = { workerId: "w", attempt: 1, startedAt: new Date(0).toISOString() };
    await ledger.finish(job, { ...run, status: "done", endedAt: new Date(0).toISOString(), bytes: 100 });
    const options = { source, destination, throughputBytesPerSecond: 1e8 };
    const withLedger = await planMigration(m, { ...options, copyRecords: ledger });
    const sent = await sendMigration({ ...base, migration: m });
    expect(withLedger.classes).toEqual(sent.plan.classes);
    expect(withLedger.classes.identical.objects).toBe(2);
    expect(sent.sent).toBe(2);
    // without the ledger, the plan would call it changed
    expect((await planMigration(m, options)).classes.changed.objects).toBe(1);
  });
});
