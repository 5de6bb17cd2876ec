import { afterEach, describe, expect, it, vi } from "vitest";
import { createSqsHandler, type SqsHandlerOptions } from "../../../worker/src/lambda/index.js";
import { SqliteLedger } from "../../../worker/src/ledger/index.js";
import type { JobMetrics } from "../../../worker/src/metrics/index.js";
import { contextWith, job, migration, record, recordingQueue, vanishedObjectS3 } from "./fakes.js";

function setUp(over: Partial<SqsHandlerOptions> & { s3?: ReturnType<typeof vanishedObjectS3> } = {}) {
  const queue = recordingQueue();
  const ledger = new SqliteLedger({ path: ":memory:" });
  const metrics: JobMetrics[] = [];
  const s3 = over.s3 ?? vanishedObjectS3();
  const handler = createSqsHandler({
    queue,
    ledger,
    migrations: async () => [migration],
    clients: async () => ({ source: s3, destination: s3 }),
    metrics: { jobFinished: (m) => metrics.push(m) },
    retryBaseDelaySeconds: 5,
    maxAttempts: 3,
    stopReserveMs: 0,
    ...over,
  });
  return { handler, queue, ledger, metrics, s3 };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("Lambda SQS handler", () => {
  it("lets Lambda delete finished records: a vanished source is skipped, an s3:TestEvent ignored", async () => {
    const { handler, queue, ledger, metrics } = setUp();
    const gone = job("gone.txt");
    await ledger.enqueue([gone], new Date());
    const out = await handler(
      { Records: [record(gone), record({ Event: "s3:TestEvent" })] },
      contextWith(60_000),
    );
    expect(out).toEqual({ batchItemFailures: [] });
    expect(queue.calls).toEqual([]);
    expect((await ledger.get(gone))?.status).toBe("skipped");
    expect(metrics).toMatchObject([{ migration: "photos", objectsCopied: 0, objectsFailed: 0 }]);
  });

  it("releases a job of an unknown migration with the Runner's backoff (doubling per failure) and reports it", async () => {
    const { handler, queue, ledger } = setUp();
    const early = job("a.txt", { migration: "not-yet-published" });
    // one earlier failure: this is the second, so the wait doubles
    await ledger.noteError(
      early,
      { workerId: "w", attempt: 1, startedAt: new Date().toISOString() },
      "unknown migration",
    );
    const r = record(early, 2);
    const out = await handler({ Records: [r] }, contextWith(60_000));
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: r.messageId }]);
    expect(queue.calls).toEqual([`release ${r.messageId} 10`]);
  });

  it("dead-letters a hopeless record at once and records the failure in the ledger", async () => {
    const { handler, queue, ledger } = setUp();
    const lost = job("b.txt", { migration: "not-yet-published" });
    await ledger.enqueue([lost], new Date());
    const run = { workerId: "w", attempt: 1, startedAt: new Date().toISOString() };
    // two failures already: this third one is the last maxAttempts allows
    await ledger.noteError(lost, run, "unknown migration");
    await ledger.noteError(lost, run, "unknown migration");
    const garbage = record("not json");
    const last = record(lost, 3);
    const out = await handler({ Records: [garbage, last] }, contextWith(60_000));
    expect(queue.calls.sort()).toEqual([
      `deadLetter ${garbage.messageId} message body is not JSON`,
      `deadLetter ${last.messageId} unknown migration 'not-yet-published'`,
    ]);
    // reported as well: harmless once moved, and keeps the message when no DLQ is configured
    expect(out.batchItemFailures).toHaveLength(2);
    expect(await ledger.get(lost)).toMatchObject({
      status: "failed",
      lastError: expect.stringMatching(/unknown/),
    });
  });

  it("cuts copies when the invocation runs out of time and hands them back at once, uncounted", async () => {
    vi.useFakeTimers();
    const s3 = vanishedObjectS3({ hang: true });
    const { handler, queue } = setUp({ s3, stopReserveMs: 1_000 });
    const r = record(job("slow.txt"));
    let answered = false;
    const out = handler({ Records: [r] }, contextWith(1_200)).finally(() => {
      answered = true;
    });
    // 1 ms before the deadline (time left minus the reserve): the copy is under way, nothing cut
    await vi.advanceTimersByTimeAsync(199);
    expect(s3.maxInFlight).toBe(1);
    expect(answered).toBe(false);
    expect(queue.calls).toEqual([]);
    // at the deadline: cut and handed back
    await vi.advanceTimersByTimeAsync(1);
    expect((await out).batchItemFailures).toEqual([{ itemIdentifier: r.messageId }]);
    expect(queue.calls).toEqual([`putBack ${r.messageId}`]);
  });

  it("runs at most filesInParallel records at once", async () => {
    vi.useFakeTimers();
    const s3 = vanishedObjectS3({ delayMs: 30 });
    const { handler } = setUp({ s3, settings: { filesInParallel: 2 } });
    const records = ["1", "2", "3", "4", "5"].map((k) => record(job(k)));
    const answer = handler({ Records: records }, contextWith(60_000));
    // each S3 request answers once the clock moves 30 ms: requests sent before that overlap,
    // so all five would be in flight at once unless the handler holds records back
    await vi.advanceTimersByTimeAsync(5 * 30);
    const out = await answer;
    expect(out.batchItemFailures).toEqual([]);
    expect(s3.maxInFlight).toBe(2);
  });
});
