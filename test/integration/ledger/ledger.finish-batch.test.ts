import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import Database from "better-sqlite3";
import { afterAll, afterEach, describe, expect, inject, it } from "vitest";
import type { Job } from "../../../worker/src/job/index.js";
import {
  createLedgerTable,
  DynamoLedger,
  type JobOutcome,
  SqliteLedger,
} from "../../../worker/src/ledger/index.js";
import { clientConfig, uniqueBucket } from "../../emulator/clients.js";
import {
  type InjectedAnswer,
  type LatencyProxy,
  startLatencyProxy,
  validationError,
} from "../../support/latency-proxy.js";

const { global } = inject("emulator");

const job = (key: string, migration = "photos"): Job => ({
  migration,
  source: { bucket: "src", key, size: 100, etag: "e1" },
  destination: { bucket: "dst", key: `copy/${key}` },
});
const done = (over: Partial<JobOutcome> = {}): JobOutcome => ({
  workerId: "w1",
  attempt: 1,
  status: "done",
  startedAt: "2026-11-26T01:10:00.000Z",
  endedAt: "2026-11-26T01:11:00.000Z",
  bytes: 100,
  ...over,
});
const t0 = new Date("2026-11-26T01:00:00Z");

/** What DynamoDB answers when it cancels a transaction, one reason per action in order. */
const cancelled = (codes: string[]): InjectedAnswer => ({
  status: 400,
  body: JSON.stringify({
    __type: "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
    Message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(", ")}]`,
    CancellationReasons: codes.map((Code) => ({ Code })),
  }),
});

let proxy: LatencyProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

/**
 * A DynamoDB ledger whose requests pass a counting proxy (which may answer some itself),
 * and the actions of every TransactWriteItems the SDK sent, as each request's item keys.
 */
async function ledgerBehindProxy(
  answer?: (op: string, n: number) => InjectedAnswer | undefined,
  options: { finishesInFlight?: number } = {},
) {
  proxy = await startLatencyProxy({ target: global.endpoint, ...(answer ? { answer } : {}) });
  const client = new DynamoDBClient({ ...clientConfig(global, proxy.endpoint), maxAttempts: 1 });
  const transactions: string[][] = [];
  client.middlewareStack.add(
    ((next: (a: unknown) => Promise<unknown>, ctx: { commandName?: string }) => async (args: unknown) => {
      if (ctx.commandName === "TransactWriteItemsCommand") {
        const items = (
          args as { input: { TransactItems: Record<string, { Key?: unknown; Item?: unknown }>[] } }
        ).input.TransactItems;
        transactions.push(
          items.map((action) => {
            const a = Object.values(action)[0] as {
              Key?: Record<string, unknown>;
              Item?: Record<string, unknown>;
            };
            const k = a.Key ?? a.Item ?? {};
            // plain values (the document client's input) or attribute values, whichever this step sees
            const text = (v: unknown) => (typeof v === "string" ? v : (v as { S?: string } | undefined)?.S);
            return `${text(k.pk)}|${text(k.sk)}`;
          }),
        );
      }
      return next(args);
    }) as never,
    { step: "initialize", name: "recordTransactions" },
  );
  const tableName = uniqueBucket("ledger");
  await createLedgerTable(client, tableName);
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const ledger = new DynamoLedger({ client: doc, tableName, ...options });
  return { ledger, transactions, proxy };
}

describe("DynamoDB ledger: finishes arriving together share transactions", () => {
  it("sends many finishes in a few transactions of at most 100 actions, one counter and hour update each", async () => {
    const { ledger, transactions, proxy } = await ledgerBehindProxy();
    const jobs = Array.from({ length: 150 }, (_, i) => job(`k${i}`, i % 2 === 0 ? "photos" : "audio"));
    const outcome = (i: number) =>
      done(i % 3 === 0 ? { endedAt: "2026-11-26T02:01:00.000Z" } : i % 10 === 0 ? { status: "failed" } : {});
    await ledger.enqueue(
      jobs.filter((j) => j.migration === "photos"),
      t0,
    );
    await ledger.enqueue(
      jobs.filter((j) => j.migration === "audio"),
      t0,
    );
    proxy.reset();
    transactions.length = 0;
    const results = await Promise.all(jobs.map((j, i) => ledger.finish(j, outcome(i))));
    expect(results.every(Boolean)).toBe(true);
    // one at a time: 150 transactions. Two go at once (nothing was in flight), the other 148
    // wait for them and then fill two transactions of at most 100 actions.
    expect(proxy.count(["TransactWriteItems"])).toBe(4);
    expect(proxy.count(["GetItem", "BatchGetItem", "Query"])).toBe(0);
    expect(transactions.map((t) => t.length)).toEqual([3, 3, 100, 150 - 2 - 94 + 6]);
    for (const t of transactions) {
      // an item twice in one transaction is an error; so one counter shard per migration, one update per hour
      expect(new Set(t).size).toBe(t.length);
      for (const m of ["photos", "audio"]) {
        expect(t.filter((k) => k.startsWith(`MIG#${m}|COUNT#`)).length).toBeLessThanOrEqual(1);
      }
    }
    for (const m of ["photos", "audio"]) {
      const s = await ledger.summary(m);
      const mine = jobs.map((j, i) => ({ j, i })).filter(({ j }) => j.migration === m);
      const failed = mine.filter(({ i }) => outcome(i).status === "failed").length;
      expect(s.counters.pending).toEqual({ objects: 0, bytes: 0 });
      expect(s.counters.done).toEqual({ objects: 75 - failed, bytes: (75 - failed) * 100 });
      expect(s.counters.failed).toEqual({ objects: failed, bytes: failed * 100 });
      const late = mine.filter(({ i }) => i % 3 === 0).length;
      expect(s.hours.map((h) => [h.hour, h.objects, h.firstAt, h.lastAt])).toEqual([
        ["2026-11-26T01", 75 - failed - late, "2026-11-26T01:10:00.000Z", "2026-11-26T01:11:00.000Z"],
        ["2026-11-26T02", late, "2026-11-26T02:00:00.000Z", "2026-11-26T02:01:00.000Z"],
      ]);
    }
  });

  it("sends a transaction cancelled by a conflict or throttling again until every finish is recorded once", async () => {
    // requests: 1 the enqueue, 2 and 3 the first two finishes, 4 the other eight together
    const { ledger, proxy } = await ledgerBehindProxy((op, n) =>
      op.endsWith(".TransactWriteItems") && n === 4
        ? cancelled(["None", "TransactionConflict", ...Array(6).fill("None"), "None", "ThrottlingError"])
        : undefined,
    );
    const jobs = Array.from({ length: 10 }, (_, i) => job(`c${i}`));
    await ledger.enqueue(jobs, t0);
    const results = await Promise.all(jobs.map((j) => ledger.finish(j, done())));
    expect(results.every(Boolean)).toBe(true);
    // the conflicting one on its own, the seven cancelled for its sake together after a backoff
    expect(proxy.count(["TransactWriteItems"])).toBe(6);
    const s = await ledger.summary("photos");
    expect(s.counters.pending).toEqual({ objects: 0, bytes: 0 });
    expect(s.counters.done).toEqual({ objects: 10, bytes: 1000 });
    expect(s.hours).toMatchObject([{ objects: 10, bytes: 1000 }]);
    for (const j of jobs) expect(await ledger.get(j)).toMatchObject({ status: "done", attempts: 1, rev: 2 });
  });

  it("tries each finish of a failed shared transaction on its own, so one bad item fails alone", async () => {
    // 4: the shared transaction of eight; 5: the first of them tried on its own
    const { ledger, proxy } = await ledgerBehindProxy((op, n) =>
      op.endsWith(".TransactWriteItems") && (n === 4 || n === 5) ? validationError() : undefined,
    );
    const jobs = Array.from({ length: 10 }, (_, i) => job(`v${i}`));
    await ledger.enqueue(jobs, t0);
    const results = await Promise.allSettled(jobs.map((j) => ledger.finish(j, done())));
    const rejected = results.filter((r) => r.status === "rejected");
    expect(rejected).toHaveLength(1);
    expect((rejected[0] as PromiseRejectedResult).reason).toMatchObject({ code: "TransitionFailed" });
    expect(proxy.count(["TransactWriteItems"])).toBe(1 + 2 + 1 + 8);
    const s = await ledger.summary("photos");
    expect(s.counters.done).toEqual({ objects: 9, bytes: 900 });
    expect(s.counters.pending).toEqual({ objects: 1, bytes: 100 });
  });

  it("tries each finish on its own when a cancellation names no cause it can wait out", async () => {
    // 4: the shared transaction of eight, cancelled for its hour update's sake
    const { ledger, proxy } = await ledgerBehindProxy((op, n) =>
      op.endsWith(".TransactWriteItems") && n === 4
        ? cancelled([...Array(9).fill("None"), "ValidationError"])
        : undefined,
    );
    const jobs = Array.from({ length: 10 }, (_, i) => job(`u${i}`));
    await ledger.enqueue(jobs, t0);
    expect((await Promise.all(jobs.map((j) => ledger.finish(j, done())))).every(Boolean)).toBe(true);
    // sent together again it would be cancelled again: each goes alone, once
    expect(proxy.count(["TransactWriteItems"])).toBe(1 + 2 + 1 + 8);
    expect((await ledger.summary("photos")).counters.done).toEqual({ objects: 10, bytes: 1000 });
  });

  it("does not abort the others' shared write when one caller gives up", async () => {
    const controller = new AbortController();
    // 3: the transaction of `a` and `b`, which waited for `x` (one transaction in flight)
    const { ledger, proxy } = await ledgerBehindProxy(
      (op, n) => {
        if (op.endsWith(".TransactWriteItems") && n === 3) controller.abort();
        return undefined;
      },
      { finishesInFlight: 1 },
    );
    const [x, a, b] = [job("x"), job("a"), job("b")];
    await ledger.enqueue([x, a, b], t0);
    const results = await Promise.allSettled([
      ledger.finish(x, done()),
      ledger.finish(a, done(), controller.signal),
      ledger.finish(b, done()),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ name: "AbortError" });
    // b was not sent again: the shared request went on without a's signal
    expect(proxy.count(["TransactWriteItems"])).toBe(3);
    expect((await ledger.summary("photos")).counters.done.objects).toBe(3);
  });
});

describe("SQLite ledger: finishes arriving together share one commit", () => {
  const dir = mkdtempSync(join(tmpdir(), "longbow-finish-batch-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Frames the write-ahead log holds: each commit appends the pages it changed. */
  const walFrames = (path: string, mode: "PASSIVE" | "TRUNCATE") => {
    const db = new Database(path);
    try {
      return (db.pragma(`wal_checkpoint(${mode})`) as { log: number }[])[0]?.log ?? -1;
    } finally {
      db.close();
    }
  };

  it("commits finishes handed in together once, with the results of one at a time", async () => {
    const jobs = Array.from({ length: 60 }, (_, i) => job(`s${i}`));
    const frames: Record<string, number> = {};
    const results: Record<string, boolean[]> = {};
    for (const how of ["together", "apart"] as const) {
      const path = join(dir, `${how}.db`);
      const l = new SqliteLedger({ path });
      await l.enqueue(jobs, t0);
      expect(walFrames(path, "TRUNCATE")).toBe(0);
      const outcomes = jobs.map((_, i) => done(i === 9 ? { status: "failed", reason: "AccessDenied" } : {}));
      // job 3 twice at once: the second finds it done
      const all = [...jobs, jobs[3] as Job];
      const outcomeOf = (i: number) => outcomes[i] ?? done({ workerId: "w2" });
      if (how === "together") {
        results[how] = await Promise.all(all.map((j, i) => l.finish(j, outcomeOf(i))));
      } else {
        results[how] = [];
        for (const [i, j] of all.entries()) results[how].push(await l.finish(j, outcomeOf(i)));
      }
      frames[how] = walFrames(path, "PASSIVE");
      expect((await l.summary("photos")).counters).toMatchObject({
        pending: { objects: 0, bytes: 0 },
        done: { objects: 59, bytes: 5900 },
        failed: { objects: 1, bytes: 100 },
      });
      await l.close();
    }
    expect(results.together).toEqual(results.apart);
    expect(results.together?.at(-1)).toBe(false);
    // one commit per finish appends at least a page each; one commit for all, a handful
    expect(frames.apart).toBeGreaterThanOrEqual(jobs.length);
    expect(frames.together).toBeLessThan((frames.apart ?? 0) / 5);
  });
});
