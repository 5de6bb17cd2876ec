import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import fc from "fast-check";
import { afterAll, describe, expect, inject, it } from "vitest";
import type { Job } from "../../../worker/src/job/index.js";
import { type JobOutcome, type Ledger, SqliteLedger } from "../../../worker/src/ledger/index.js";
import { planFinish, verificationCounters } from "../../../worker/src/ledger/transitions.js";
import { clientConfig, dynamoFor } from "../../emulator/clients.js";
import { startLatencyProxy } from "../../support/latency-proxy.js";
import { countRequests, createTestDynamoLedger, writesIn } from "../../support/ledgers.js";

const { global } = inject("emulator");
const dir = mkdtempSync(join(tmpdir(), "longbow-ledger-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const job = (key: string, etag = "e1", size = 100, migration = "photos"): Job => ({
  migration,
  source: { bucket: "src", key, size, etag },
  destination: { bucket: "dst", key: `copy/${key}` },
});
const run = { workerId: "w1", attempt: 1, startedAt: "2026-11-26T01:10:00.000Z" };
const done = (over: Partial<JobOutcome> = {}): JobOutcome => ({
  ...run,
  status: "done",
  endedAt: "2026-11-26T01:11:00.000Z",
  bytes: 100,
  destinationEtag: "d1",
  ...over,
});
const t0 = new Date("2026-11-26T01:00:00Z");

/**
 * Makes two concurrent finish() calls race deterministically on DynamoDB: both have
 * decided what to write before either write lands (each finish writes without reading
 * first, conditional on what it assumes; a finish that reads first reads before either
 * writes), then the writes go one after the other. The first transaction (the enqueue)
 * passes straight through.
 */
function raceBarrier(client: DynamoDBClient): void {
  let writes = 0;
  let reads = 0;
  let open!: () => void;
  const bothDecided = new Promise<void>((r) => {
    open = r;
  });
  const check = () => {
    if (writes >= 3 || reads >= 2) open();
  };
  let chain: Promise<unknown> = Promise.resolve();
  const middleware = ((next: (a: unknown) => Promise<unknown>, ctx: { commandName?: string }) =>
    async (args: unknown) => {
      if (ctx.commandName === "GetItemCommand") {
        const out = await next(args);
        reads++;
        check();
        return out;
      }
      if (ctx.commandName !== "TransactWriteItemsCommand") return next(args);
      writes++;
      check();
      if (writes === 1) return next(args);
      await bothDecided;
      const mine = chain.then(() => next(args));
      chain = mine.catch(() => {});
      return mine;
    }) as never;
  client.middlewareStack.add(middleware, { step: "initialize", name: "raceBarrier" });
}

const implementations: [string, (race?: boolean) => Promise<Ledger>][] = [
  ["SQLite", async () => new SqliteLedger({ path: join(dir, `${Math.random()}.db`) })],
  [
    "DynamoDB",
    async (race) => {
      const client = dynamoFor(global);
      const { ledger } = await createTestDynamoLedger(client);
      if (race) raceBarrier(client);
      return ledger;
    },
  ],
];

describe.each(implementations)("%s ledger", (_name, make) => {
  it("queues new objects once and re-queues only a changed source", async () => {
    const l = await make();
    expect(await l.enqueue([job("a"), job("b", "e1", 50)], t0)).toHaveLength(2);
    expect(await l.enqueue([job("a"), job("b", "e2", 70)], t0)).toEqual([job("b", "e2", 70)]);
    const s = await l.summary("photos");
    expect(s.counters.pending).toEqual({ objects: 2, bytes: 170 });
    expect(await l.get(job("b"))).toMatchObject({
      status: "queued",
      sourceEtag: "e2",
      size: 70,
      attempts: 0,
    });
  });

  it("moves a finished copy from pending to done once, even when delivered twice", async () => {
    const l = await make();
    await l.enqueue([job("a")], t0);
    expect(await l.finish(job("a"), done())).toBe(true);
    expect(await l.finish(job("a"), done({ attempt: 2, workerId: "w2" }))).toBe(false);
    const s = await l.summary("photos");
    expect(s.counters.pending).toEqual({ objects: 0, bytes: 0 });
    expect(s.counters.done).toEqual({ objects: 1, bytes: 100 });
    expect(s.hours).toEqual([
      {
        hour: "2026-11-26T01",
        objects: 1,
        bytes: 100,
        firstAt: "2026-11-26T01:10:00.000Z",
        lastAt: "2026-11-26T01:11:00.000Z",
      },
    ]);
    expect(await l.get(job("a"))).toMatchObject({
      status: "done",
      attempts: 1,
      workerId: "w1",
      destinationEtag: "d1",
    });
    expect(await l.copiedFrom("photos", ["a", "zzz"])).toEqual(new Map([["a", { sourceEtag: "e1" }]]));
  });

  it("counts exactly one winner when two workers finish the same object at once", async () => {
    const l = await make(true);
    await l.enqueue([job("race")], t0);
    const results = await Promise.all([
      l.finish(job("race"), done()),
      l.finish(job("race"), done({ workerId: "w2" })),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await l.summary("photos")).counters.done.objects).toBe(1);
  });

  it("records finishes arriving at once as it records them one after the other", async () => {
    // two migrations, two hours, every kind of outcome: what a shared write must sum apart
    const jobs = Array.from({ length: 70 }, (_, i) =>
      job(`m${i}`, "e1", 100 + i, i % 3 === 0 ? "audio" : "photos"),
    );
    const outcomeOf = (i: number): JobOutcome => {
      const at = (m: number) => new Date(Date.parse("2026-11-26T01:30:00.000Z") + m * 60_000).toISOString();
      return done({
        status: i % 11 === 0 ? "failed" : i % 13 === 0 ? "skipped" : "done",
        startedAt: at(i / 2),
        endedAt: at(i / 2 + 0.5),
        bytes: 100 + i,
        ...(i % 4 === 0 ? { verification: "source-etag" as const } : {}),
        ...(i % 5 === 0 ? { retries: 2 } : {}),
        ...(i % 7 === 0 ? { copied: false, transferredBytes: 0 } : {}),
        ...(i % 11 === 0 ? { reason: "AccessDenied" } : {}),
      });
    };
    const together = await make();
    const apart = await make();
    for (const l of [together, apart]) await l.enqueue(jobs, t0);
    const results = await Promise.all(jobs.map((j, i) => together.finish(j, outcomeOf(i))));
    const one: boolean[] = [];
    for (const [i, j] of jobs.entries()) one.push(await apart.finish(j, outcomeOf(i)));
    expect(results).toEqual(one);
    expect(results.every(Boolean)).toBe(true);
    for (const migration of ["audio", "photos"]) {
      const [a, b] = await Promise.all([together.summary(migration), apart.summary(migration)]);
      expect(a.counters).toEqual(b.counters);
      expect(a.verified).toEqual(b.verified);
      expect(a.retries).toBe(b.retries);
      expect(a.hours).toEqual(b.hours);
      expect(a.hours.map((h) => h.hour)).toEqual(["2026-11-26T01", "2026-11-26T02"]);
    }
    for (const j of jobs) expect(await together.get(j)).toEqual(await apart.get(j));
  });

  it("records the rest of finishes arriving at once when some find the object already done, and counts each once", async () => {
    const l = await make();
    const jobs = Array.from({ length: 40 }, (_, i) => job(`d${i}`));
    await l.enqueue(jobs, t0);
    expect(await l.finish(jobs[5] as Job, done())).toBe(true);
    const results = await Promise.all([
      ...jobs.map((j) => l.finish(j, done())),
      // a second delivery of the same object, finished by another worker at the same time
      l.finish(jobs[7] as Job, done({ workerId: "w2", attempt: 2 })),
      l.finish(jobs[30] as Job, done({ workerId: "w2", attempt: 2 })),
    ]);
    expect(results.filter((r) => !r)).toHaveLength(3);
    expect(results[5]).toBe(false);
    expect([results[7], results[40]].filter(Boolean)).toHaveLength(1);
    expect([results[30], results[41]].filter(Boolean)).toHaveLength(1);
    const s = await l.summary("photos");
    expect(s.counters.pending).toEqual({ objects: 0, bytes: 0 });
    expect(s.counters.done).toEqual({ objects: 40, bytes: 4000 });
    expect(s.hours).toMatchObject([{ hour: "2026-11-26T01", objects: 40, bytes: 4000 }]);
    for (const j of jobs)
      expect(await l.get(j)).toMatchObject({ status: "done", attempts: 1, countedAs: "done" });
  });

  it("lists failures with their reasons, counts failed attempts, and a re-send takes them back to pending", async () => {
    const l = await make();
    await l.enqueue([job("bad"), job("ok")], t0);
    expect(await l.noteError(job("bad"), run, "SlowDown: reduce your request rate", { retries: 3 })).toBe(1);
    expect(await l.noteError(job("bad"), run, "SlowDown: reduce your request rate")).toBe(2);
    await l.finish(
      job("bad"),
      done({ status: "failed", attempt: 3, reason: "AccessDenied: no read on source" }),
    );
    let s = await l.summary("photos");
    expect(s.counters.failed).toEqual({ objects: 1, bytes: 100 });
    expect(s.retries).toBe(3);
    expect(s.failures.map((f) => [f.sourceKey, f.lastError, f.attempts, f.failures])).toEqual([
      ["bad", "AccessDenied: no read on source", 3, 2],
    ]);
    await l.enqueue([job("bad")], t0);
    s = await l.summary("photos");
    expect(s.counters.failed.objects).toBe(0);
    expect(s.counters.pending.objects).toBe(2);
    expect(s.failures).toEqual([]);
    // queued again: its history stays, its failures start again
    expect(await l.get(job("bad"))).toMatchObject({ status: "queued", attempts: 3, failures: 0, retries: 3 });
    expect(await l.noteError(job("bad"), run, "SlowDown")).toBe(1);
  });

  it("lists skipped objects with their reasons beside failures", async () => {
    const l = await make();
    await l.enqueue([job("gone"), job("changed")], t0);
    await l.finish(job("gone"), done({ status: "skipped", reason: "source s3://src/gone not found" }));
    await l.finish(job("changed"), done({ status: "skipped", reason: "source changed during the copy" }));
    const s = await l.summary("photos");
    expect(s.counters.skipped.objects).toBe(2);
    expect(s.skips.map((f) => [f.sourceKey, f.lastError]).sort()).toEqual([
      ["changed", "source changed during the copy"],
      ["gone", "source s3://src/gone not found"],
    ]);
    expect(s.failures).toEqual([]);
  });

  it("counts done objects by what proved their bytes, and only bytes sent as throughput", async () => {
    const l = await make();
    await l.enqueue([job("a"), job("b"), job("c")], t0);
    await l.finish(job("a"), done({ verification: "source-etag", transferredBytes: 100 }));
    await l.finish(job("b"), done({ verification: "parts-only", transferredBytes: 60 }));
    // already identical at the destination: done, proven by its ETag, nothing sent
    await l.finish(job("c"), done({ verification: "source-etag", transferredBytes: 0, copied: false }));
    const s = await l.summary("photos");
    expect(s.verified).toEqual({
      "source-etag": { objects: 2, bytes: 200 },
      "source-checksum": { objects: 0, bytes: 0 },
      "content-md5": { objects: 0, bytes: 0 },
      "parts-only": { objects: 1, bytes: 100 },
    });
    expect(s.hours).toEqual([expect.objectContaining({ objects: 2, bytes: 160 })]);
    expect(await l.get(job("b"))).toMatchObject({ verification: "parts-only" });
  });

  it("does not queue again an object finished from the same source during the compare", async () => {
    const l = await make();
    await l.enqueue([job("a"), job("b")], t0);
    const compareStarted = new Date("2026-11-26T01:10:30.000Z");
    // a finished before the compare began, b while it listed
    await l.finish(job("a"), done({ endedAt: "2026-11-26T01:10:00.000Z" }));
    await l.finish(job("b"), done({ endedAt: "2026-11-26T01:11:00.000Z" }));
    const sent = await l.enqueue([job("a"), job("b")], t0, { finishedSince: compareStarted });
    // a's destination went missing since it finished: copied again; b is done from e1 meanwhile
    expect(sent.map((j) => j.source.key)).toEqual(["a"]);
    // a new version of b is a new copy
    expect(await l.enqueue([job("b", "e2")], t0, { finishedSince: compareStarted })).toHaveLength(1);
  });

  it("keeps a queued-again object's unfinished upload, part plan and history", async () => {
    const l = await make();
    await l.enqueue([job("big", "e1", 12 << 20)], t0);
    const layout = [
      [5 << 20, 2],
      [2 << 20, 1],
    ] as const;
    await l.resumeStore(run).save(job("big", "e1", 12 << 20), {
      uploadId: "u-1",
      partSize: 5 << 20,
      layout: layout.map((r) => [...r] as [number, number]),
      sourceEtag: "e1",
    });
    await l.noteError(job("big", "e1", 12 << 20), run, "SlowDown");
    await l.enqueue([job("big", "e1", 12 << 20)], t0, { requeuePending: true });
    expect(await l.get(job("big"))).toMatchObject({
      uploadId: "u-1",
      attempts: 1,
      failures: 0,
      status: "queued",
    });
    expect(await l.resumeStore(run).load(job("big"))).toEqual({
      uploadId: "u-1",
      partSize: 5 << 20,
      layout: [
        [5 << 20, 2],
        [2 << 20, 1],
      ],
      sourceEtag: "e1",
    });
  });

  it("keeps a resume point per attempt and drops it when the copy finishes", async () => {
    const l = await make();
    await l.enqueue([job("big", "e1", 12 << 20)], t0);
    const store = l.resumeStore({ ...run, attempt: 2 });
    expect(await store.load(job("big"))).toBeUndefined();
    await store.save(job("big"), { uploadId: "u-1", partSize: 5 << 20, sourceEtag: "e1" });
    expect(await store.load(job("big"))).toEqual({ uploadId: "u-1", partSize: 5 << 20, sourceEtag: "e1" });
    // an attempt under way is not counted until it ends
    expect(await l.get(job("big"))).toMatchObject({ status: "running", attempts: 0, workerId: "w1" });
    await l.finish(job("big"), done({ attempt: 2, bytes: 12 << 20 }));
    expect(await store.load(job("big"))).toBeUndefined();
    expect(await l.get(job("big"))).toMatchObject({ status: "done", attempts: 1 });
    expect((await l.get(job("big")))?.uploadId).toBeUndefined();
  });

  it("keeps the ETag a Complete was sent for until the point is saved again without it or the copy finishes", async () => {
    const l = await make();
    await l.enqueue([job("big", "e1", 12 << 20)], t0);
    const store = l.resumeStore(run);
    const point = { uploadId: "u-1", partSize: 5 << 20, sourceEtag: "e1" };
    await store.save(job("big"), { ...point, completing: "abc-3" });
    expect(await store.load(job("big"))).toEqual({ ...point, completing: "abc-3" });
    await l.enqueue([job("big", "e1", 12 << 20)], t0, { requeuePending: true });
    expect(await store.load(job("big"))).toEqual({ ...point, completing: "abc-3" });
    await store.save(job("big"), point);
    expect(await store.load(job("big"))).toEqual(point);
    await store.save(job("big"), { ...point, completing: "abc-3" });
    await l.finish(job("big"), done({ bytes: 12 << 20 }));
    expect((await l.get(job("big")))?.completingEtag).toBeUndefined();
  });

  it("records objects that were never sent (S3 events) without a negative pending count", async () => {
    const l = await make();
    await l.resumeStore(run).save(job("evt"), { uploadId: "u", partSize: 5 << 20 });
    await l.finish(job("evt"), done());
    const s = await l.summary("photos");
    expect(s.counters.pending.objects).toBe(0);
    expect(s.counters.done.objects).toBe(1);
  });

  it("remembers the last compare per migration and lists migrations", async () => {
    const l = await make();
    await l.recordCompare("photos", t0);
    await l.recordCompare("videos", new Date("2026-11-26T02:00:00Z"));
    expect((await l.summary("photos")).lastCompareAt).toBe(t0.toISOString());
    await l.enqueue([job("x", "e", 1, "audio")], t0);
    expect(await l.migrations()).toEqual(["audio", "photos", "videos"]);
  });
});

describe("DynamoDB ledger write budget", () => {
  it("writes at most 3 times per object copied: enqueue, resume point (multipart only), finish", async () => {
    const client = dynamoFor(global);
    const counts = countRequests(client);
    const { ledger } = await createTestDynamoLedger(client);
    const before = writesIn(counts);
    const big = job("big", "e1", 12 << 20);
    await ledger.enqueue([job("small"), big], t0);
    await ledger.resumeStore(run).save(big, { uploadId: "u", partSize: 5 << 20 });
    await ledger.finish(job("small"), done());
    await ledger.finish(big, done({ bytes: 12 << 20 }));
    // one enqueue transaction for both, a resume point for the multipart one, one finish each
    expect(writesIn(counts) - before).toBe(4);
    // and no reads: each finish folds its read into its write
    expect(counts.GetItem ?? 0).toBe(0);
  });
});

describe("DynamoDB ledger finish without a read", () => {
  it("finishes objects pending since their send in one request each (no GetItem)", async () => {
    const proxy = await startLatencyProxy({ target: global.endpoint });
    try {
      const { ledger } = await createTestDynamoLedger(
        new DynamoDBClient(clientConfig(global, proxy.endpoint)),
      );
      const jobs = Array.from({ length: 20 }, (_, i) => job(`k${i}`));
      await ledger.enqueue(jobs, t0);
      const running = jobs[3] as Job;
      await ledger.resumeStore(run).save(running, { uploadId: "u", partSize: 5 << 20 });
      await ledger.noteError(jobs[4] as Job, run, "SlowDown", { retries: 2 });
      proxy.reset();
      for (const [i, j] of jobs.entries()) {
        const status = i % 5 === 0 ? "failed" : i % 7 === 0 ? "skipped" : "done";
        expect(await ledger.finish(j, done({ status, verification: "source-etag", retries: i % 3 }))).toBe(
          true,
        );
      }
      // a read and a write per object before: 2 requests each
      expect(proxy.count(["GetItem", "BatchGetItem", "Query"])).toBe(0);
      expect(proxy.count(["TransactWriteItems"])).toBe(jobs.length);
      expect(Object.values(proxy.operations()).reduce((n, o) => n + o.requests, 0)).toBe(jobs.length);
    } finally {
      await proxy.close();
    }
  });

  it("writes what a read-then-write would, counters included, from any history", async () => {
    const { ledger } = await createTestDynamoLedger(dynamoFor(global));
    let n = 0;
    const history = fc.constantFrom(
      "queued",
      "running",
      "noted",
      "requeuedAfterDone",
      "s3Event",
      "alreadyDone",
      "resized",
    );
    await fc.assert(
      fc.asyncProperty(
        history,
        fc.record({
          status: fc.constantFrom("done" as const, "failed" as const, "skipped" as const),
          verification: fc.constantFrom(undefined, "source-etag" as const, "parts-only" as const),
          retries: fc.constantFrom(0, 2),
          attemptNoted: fc.boolean(),
          sourceEtag: fc.constantFrom(undefined, "e1"),
          reason: fc.constantFrom(undefined, "because"),
          destinationEtag: fc.constantFrom(undefined, "d9"),
        }),
        fc.boolean(),
        async (h, o, jobHasEtag) => {
          const migration = `eq-${n++}`;
          const base = job("k", "e1", 100, migration);
          const j: Job = jobHasEtag ? base : { ...base, source: { ...base.source, etag: undefined } };
          if (h !== "s3Event")
            await ledger.enqueue([h === "resized" ? job("k", "e1", 70, migration) : j], t0);
          if (h === "running" || h === "s3Event")
            await ledger.resumeStore(run).save(j, { uploadId: "u", partSize: 5 << 20, sourceEtag: "e1" });
          if (h === "noted") await ledger.noteError(j, run, "SlowDown", { retries: 3 });
          if (h === "requeuedAfterDone" || h === "alreadyDone")
            await ledger.finish(j, done({ verification: "source-etag", sourceEtag: "e1" }));
          if (h === "requeuedAfterDone") await ledger.enqueue([j], t0);
          const before = await ledger.get(j);
          const countsBefore = await ledger.summary(migration);
          const outcome = done({
            status: o.status,
            ...(o.verification ? { verification: o.verification } : {}),
            ...(o.retries ? { retries: o.retries } : {}),
            ...(o.attemptNoted ? { attemptNoted: true } : {}),
            ...(o.sourceEtag ? { sourceEtag: o.sourceEtag } : {}),
            ...(o.reason ? { reason: o.reason } : {}),
            destinationEtag: o.destinationEtag,
          });
          const expected = planFinish(before, j, outcome);
          expect(await ledger.finish(j, outcome)).toBe(expected !== undefined);
          const after = await ledger.get(j);
          expect(after).toEqual(expected?.item ?? before);
          const countsAfter = await ledger.summary(migration);
          const moved: Record<string, { objects: number; bytes: number }> = {};
          const diff = (
            key: string,
            a: { objects: number; bytes: number },
            b: { objects: number; bytes: number },
          ) => {
            if (a.objects !== b.objects || a.bytes !== b.bytes)
              moved[key] = { objects: a.objects - b.objects, bytes: a.bytes - b.bytes };
          };
          for (const k of ["pending", "done", "failed", "skipped"] as const)
            diff(k, countsAfter.counters[k], countsBefore.counters[k]);
          for (const [level, key] of Object.entries(verificationCounters))
            diff(
              key,
              countsAfter.verified[level as keyof typeof verificationCounters],
              countsBefore.verified[level as keyof typeof verificationCounters],
            );
          if (countsAfter.retries !== countsBefore.retries)
            moved.retries = { objects: countsAfter.retries - countsBefore.retries, bytes: 0 };
          expect(moved).toEqual(expected?.delta ?? {});
        },
      ),
      { numRuns: 80 },
    );
  });
});

describe.each(implementations)("%s ledger fan-out records", (_name, make) => {
  const big = job("giant", "e9-100", 100 << 20);
  const opened = { uploadId: "u1", rangesTotal: 4, partsTotal: 100, startedAt: run.startedAt };

  it("opens a fan-out once per upload; a new upload replaces the record", async () => {
    const l = await make();
    expect(await l.fanout(big)).toBeUndefined();
    await l.openFanout(big, opened);
    await l.rangeDone(big, "u1", { index: 0, parts: 25 });
    // a redelivered split finds its own record, progress kept
    expect(await l.openFanout(big, opened)).toMatchObject({ uploadId: "u1", rangesDone: [0], partsDone: 25 });
    expect(await l.openFanout(big, { ...opened, uploadId: "u2" })).toMatchObject({
      uploadId: "u2",
      rangesDone: [],
      partsDone: 0,
    });
    expect(await l.rangeDone(big, "u1", { index: 1, parts: 25 })).toBeUndefined();
  });

  it("counts each range once, however often it is reported", async () => {
    const l = await make();
    await l.openFanout(big, opened);
    await l.rangeDone(big, "u1", { index: 2, parts: 25 });
    await l.rangeDone(big, "u1", { index: 2, parts: 25 });
    const s = await l.rangeDone(big, "u1", { index: 0, parts: 25 });
    expect(s).toMatchObject({ rangesDone: [0, 2], partsDone: 50, rangesTotal: 4 });
    expect(await l.fanout(big)).toEqual(s);
  });

  it("grants the completion to exactly one of the ranges finishing at once, and to it again", async () => {
    const l = await make();
    const ranges = 6;
    await l.openFanout(big, { ...opened, rangesTotal: ranges });
    const indices = Array.from({ length: ranges }, (_, i) => i);
    expect(await l.claimCompletion(big, "u1", 0)).toBe(false); // nothing done yet
    // every range finishes at once, and each asks to complete as soon as its mark is written
    const granted = await Promise.all(
      indices.map(async (index) => {
        const s = await l.rangeDone(big, "u1", { index, parts: 10 });
        return s !== undefined && s.rangesDone.length === ranges
          ? l.claimCompletion(big, "u1", index)
          : false;
      }),
    );
    // those that saw the last mark race for the claim; whoever asks later is refused
    const late = await Promise.all(indices.map((i) => l.claimCompletion(big, "u1", i)));
    const winners = indices.filter((i) => late[i]);
    expect(winners).toHaveLength(1);
    expect(granted.filter(Boolean).length).toBeLessThanOrEqual(1);
    const state = await l.fanout(big);
    expect(state).toMatchObject({ completer: winners[0], partsDone: 60 });
  });

  it("ends a fan-out once: an aborted one grants no completion and leaves the report", async () => {
    const l = await make();
    await l.openFanout(big, { ...opened, rangesTotal: 1 });
    expect((await l.summary("photos")).fanouts).toEqual([
      { sourceKey: "giant", partsDone: 0, partsTotal: 100, rangesDone: 0, rangesTotal: 1 },
    ]);
    await l.endFanout(big, "u1", "aborted", "source changed");
    await l.endFanout(big, "u1", "completed");
    await l.rangeDone(big, "u1", { index: 0, parts: 100 });
    expect(await l.claimCompletion(big, "u1", 0)).toBe(false);
    expect(await l.fanout(big)).toMatchObject({ ended: "aborted", reason: "source changed" });
    expect((await l.summary("photos")).fanouts).toBeUndefined();
  });
});
