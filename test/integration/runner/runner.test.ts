import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutBucketNotificationConfigurationCommand } from "@aws-sdk/client-s3";
import { afterAll, describe, expect, inject, it } from "vitest";
import type { Migration } from "../../../worker/src/config/index.js";
import type { Job } from "../../../worker/src/job/index.js";
import { SqliteLedger } from "../../../worker/src/ledger/index.js";
import { type Queue, SqliteQueue } from "../../../worker/src/queue/index.js";
import { Runner, type RunnerOptions } from "../../../worker/src/runner/index.js";
import { dynamoFor, s3For, sqsFor, uniqueBucket } from "../../emulator/clients.js";
import { createTestDynamoLedger } from "../../support/ledgers.js";
import { migrationBetween } from "../../support/migration-buckets.js";
import { bytesFor, getBytes, putObject } from "../../support/s3-objects.js";
import { createTestSqsQueue } from "../../support/sqs-queue.js";

const { global, china } = inject("emulator");
const [src, dst] = [s3For(global), s3For(china)];
const dir = mkdtempSync(join(tmpdir(), "longbow-runner-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const MiB = 1048576;

const setUp = (name: string) => migrationBetween(global, china, name);

/** Puts each job's source object and opens a fresh embedded queue and ledger named `name`. */
async function localState(name: string, jobs: Job[]): Promise<{ queue: SqliteQueue; ledger: SqliteLedger }> {
  for (const j of jobs)
    await putObject(src, j.source.bucket, j.source.key, bytesFor(j.source.key, j.source.size ?? 0));
  return {
    queue: new SqliteQueue({ path: join(dir, `q-${name}.db`), pollIntervalMs: 20 }),
    ledger: new SqliteLedger({ path: join(dir, `l-${name}.db`) }),
  };
}

const base = (
  m: Migration,
): Pick<RunnerOptions, "migrations" | "clients" | "waitSeconds" | "retryBaseDelaySeconds"> => ({
  migrations: async () => [m],
  clients: async () => ({ source: src, destination: dst }),
  waitSeconds: 1,
  retryBaseDelaySeconds: 0,
});

describe("Runner on the embedded queue and ledger", () => {
  it("copies every job, skips a vanished source, and stops when the queue is empty", async () => {
    const { m, job } = await setUp("local");
    const jobs = [job("a.txt", 10), job("deep/b c+d é.bin", 3000), job("empty", 0), job("gone", 5)];
    for (const j of jobs.slice(0, 3))
      await putObject(src, j.source.bucket, j.source.key, bytesFor(j.source.key, j.source.size ?? 0));
    const queue = new SqliteQueue({ path: join(dir, "q1.db"), pollIntervalMs: 20 });
    const ledger = new SqliteLedger({ path: join(dir, "l1.db") });
    await queue.send(await ledger.enqueue(jobs, new Date()));
    const runner = new Runner({
      ...base(m),
      queue,
      ledger,
      stopWhenIdle: true,
      settings: { filesInParallel: 2 },
    });
    const done: string[] = [];
    runner.on("job_done", (j, r) => done.push(`${j.source.key}:${r.status}`));
    runner.start();
    await runner.done();
    expect(done.sort()).toEqual([
      "in/a.txt:copied",
      "in/deep/b c+d é.bin:copied",
      "in/empty:copied",
      "in/gone:source-missing",
    ]);
    for (const j of jobs.slice(0, 3)) {
      expect(
        (await getBytes(dst, j.destination.bucket, j.destination.key)).equals(
          bytesFor(j.source.key, j.source.size ?? 0),
        ),
      ).toBe(true);
    }
    const s = await ledger.summary("local");
    expect(s.counters.done).toEqual({ objects: 3, bytes: 3010 });
    expect(s.counters.skipped.objects).toBe(1);
    expect(await queue.depth()).toEqual({ visible: 0, inFlight: 0, dead: 0 });
    expect(runner.status.isRunning).toBe(false);
  });

  it("with stopWhenIdle, never cuts a poll short and ends within a short poll of the last job", async () => {
    const { m, job } = await setUp("drain");
    const jobs = [job("one", 100), job("two", 200)];
    const { queue: inner, ledger } = await localState("drain", jobs);
    await inner.send(await ledger.enqueue(jobs, new Date()));
    // Every receive as the runner asked for it: its wait, and whether it could be aborted.
    const asked: { waitSeconds: number | undefined; abortable: boolean }[] = [];
    const queue: Queue = Object.assign(Object.create(inner) as SqliteQueue, {
      receive: (o: Parameters<Queue["receive"]>[0]) => {
        asked.push({ waitSeconds: o?.waitSeconds, abortable: o?.signal !== undefined });
        return inner.receive(o);
      },
    });
    // configured for 20 s long polls: ending when idle must not sit one out
    const runner = new Runner({ ...base(m), queue, ledger, stopWhenIdle: true, waitSeconds: 20 });
    runner.start();
    await runner.done();
    expect(asked.length).toBeGreaterThan(0);
    // a receive is never handed a signal to abort it: messages a server handed out would be lost for a visibility timeout
    expect(asked.filter((a) => a.abortable)).toEqual([]);
    expect(asked.every((a) => (a.waitSeconds ?? 20) <= 1)).toBe(true);
    expect((await ledger.summary("drain")).counters.done).toEqual({ objects: 2, bytes: 300 });
    expect(await inner.depth()).toEqual({ visible: 0, inFlight: 0, dead: 0 });
  });

  it("on stop, waits for a receive in flight and hands back what it brought, uncounted", async () => {
    const { m, job } = await setUp("stop-receive");
    const jobs = [job("held-1", 100), job("held-2", 200)];
    const { queue: inner, ledger } = await localState("stop-receive", jobs);
    await inner.send(await ledger.enqueue(jobs, new Date()));
    let release: (() => void) | undefined;
    const arrived = new Promise<void>((resolve) => {
      release = resolve;
    });
    let returned: (() => void) | undefined;
    const back = new Promise<void>((resolve) => {
      returned = resolve;
    });
    let receives = 0;
    const queue: Queue = Object.assign(Object.create(inner) as SqliteQueue, {
      // the first receive takes the messages, then answers only once the runner is stopping
      receive: async (o: Parameters<Queue["receive"]>[0]) => {
        if (++receives > 1) return [];
        const got = await inner.receive(o);
        returned?.();
        await arrived;
        return got;
      },
    });
    const runner = new Runner({ ...base(m), queue, ledger, receivesInParallel: 1 });
    runner.start();
    await back;
    const stopped = runner.stop();
    release?.();
    await stopped;
    // nothing copied, nothing lost, nothing counted
    expect((await ledger.summary("stop-receive")).counters.done.objects).toBe(0);
    const again = await inner.receive({ max: 10, waitSeconds: 0 });
    expect(again.map((x) => [x.receiveCount, x.handedBack])).toEqual([
      [1, 1],
      [1, 1],
    ]);
  });

  it("keeps polling an empty queue until finishWhenIdle(), then ends once the queue is idle", async () => {
    const { m, job } = await setUp("finish");
    const jobs = [job("late-1", 100), job("late-2", 200)];
    const { queue: inner, ledger } = await localState("finish", jobs);
    // Until the producer has queued, each receive finds the queue empty and says so at once
    // (a long poll that timed out); after three empty answers the next receive waits for the jobs.
    let empty = 0;
    let askedAgain: () => void = () => {};
    const fourth = new Promise<void>((r) => {
      askedAgain = r;
    });
    let queued: () => void = () => {};
    const produced = new Promise<void>((r) => {
      queued = r;
    });
    const queue: Queue = Object.assign(Object.create(inner) as SqliteQueue, {
      receive: async (o: Parameters<Queue["receive"]>[0]) => {
        if (empty < 3) {
          empty++;
          return [];
        }
        askedAgain();
        await produced;
        return inner.receive(o);
      },
    });
    const runner = new Runner({ ...base(m), queue, ledger, waitSeconds: 20, receivesInParallel: 1 });
    const done: string[] = [];
    runner.on("job_done", (j) => done.push(j.source.key));
    runner.start();
    // three empty answers do not end a runner that was not told to end when idle: it asks again
    const next = await Promise.race([fourth.then(() => "received again"), runner.done().then(() => "ended")]);
    expect(next).toBe("received again");
    expect(empty).toBe(3);
    expect(runner.status.isRunning).toBe(true);
    // a producer queues while the runner already polls (as migrate's compare does)
    await inner.send(await ledger.enqueue(jobs, new Date()));
    runner.finishWhenIdle();
    queued();
    await runner.done();
    expect(done.sort()).toEqual(["in/late-1", "in/late-2"]);
    expect(runner.status.isRunning).toBe(false);
    expect(await inner.depth()).toEqual({ visible: 0, inFlight: 0, dead: 0 });
  });

  it("copies at most limits.filesInParallel objects of a migration at once", async () => {
    const { m, job } = await setUp("limited");
    const limited: Migration = { ...m, limits: { ...m.limits, filesInParallel: 1 } };
    const jobs = ["1", "2", "3", "4", "5"].map((k) => job(`f${k}.bin`, 64 * 1024));
    for (const j of jobs)
      await putObject(src, j.source.bucket, j.source.key, bytesFor(j.source.key, 64 * 1024));
    const queue = new SqliteQueue({ path: join(dir, "q-limit.db"), pollIntervalMs: 20 });
    const ledger = new SqliteLedger({ path: join(dir, "l-limit.db") });
    await queue.send(await ledger.enqueue(jobs, new Date()));
    const copying = new Set<string>();
    let most = 0;
    const runner = new Runner({
      ...base(limited),
      queue,
      ledger,
      stopWhenIdle: true,
      settings: { filesInParallel: 4 },
      onProgress: (j, e) => {
        if (e.type !== "copy_planned") return;
        copying.add(j.source.key);
        most = Math.max(most, copying.size);
      },
    });
    const done: string[] = [];
    runner.on("job_done", (j) => {
      copying.delete(j.source.key);
      done.push(j.source.key);
    });
    runner.start();
    await runner.done();
    expect(done).toHaveLength(5);
    expect(most).toBe(1);
  });

  it("admits small objects beyond filesInParallel while full-width multipart copies stay within it", async () => {
    const { m, job } = await setUp("lanes");
    const small = ["1", "2", "3", "4", "5", "6"].map((k) => job(`s${k}.txt`, 1024));
    // 3 parts of 5 MiB each: wider than partsInParallel (2), so each takes a whole file's share
    const large = ["1", "2", "3"].map((k) => job(`l${k}.bin`, 10 * MiB + 512 * 1024));
    for (const j of [...small, ...large])
      await putObject(src, j.source.bucket, j.source.key, bytesFor(j.source.key, j.source.size ?? 0));
    const queue = new SqliteQueue({ path: join(dir, "q-lanes.db"), pollIntervalMs: 20 });
    const ledger = new SqliteLedger({ path: join(dir, "l-lanes.db") });
    await queue.send(await ledger.enqueue([...small, ...large], new Date()));
    const copying = { small: new Set<string>(), large: new Set<string>() };
    const most = { small: 0, large: 0 };
    const laneOf = (j: Job) => ((j.source.size ?? 0) <= 64 * 1024 ? "small" : "large");
    const runner = new Runner({
      ...base(m),
      queue,
      ledger,
      stopWhenIdle: true,
      settings: { filesInParallel: 1, partsInParallel: 2, multipartThreshold: 64 * 1024 },
      onProgress: (j, e) => {
        if (e.type !== "copy_planned") return;
        const lane = laneOf(j);
        copying[lane].add(j.source.key);
        most[lane] = Math.max(most[lane], copying[lane].size);
      },
    });
    const done: string[] = [];
    runner.on("job_done", (j) => {
      copying[laneOf(j)].delete(j.source.key);
      done.push(j.source.key);
    });
    runner.start();
    await runner.done();
    expect(done).toHaveLength(9);
    expect(most.large).toBe(1);
    expect(most.small).toBeGreaterThan(1);
  });

  it("releases a multipart job cut by stop() and a second runner resumes its upload", async () => {
    const { m, job } = await setUp("resume");
    const big = job("big.bin", 12 * MiB);
    const body = bytesFor(big.source.key, 12 * MiB);
    await putObject(src, big.source.bucket, big.source.key, body);
    const queue = new SqliteQueue({ path: join(dir, "q2.db"), pollIntervalMs: 20 });
    const ledger = new SqliteLedger({ path: join(dir, "l2.db") });
    await queue.send(await ledger.enqueue([big], new Date()));
    const settings = { partsInParallel: 1, partSize: 5 * MiB };
    const failed: string[] = [];
    const interrupted: string[] = [];
    let cut: Promise<void> | undefined;
    // Cut the first worker as soon as one part is at the destination.
    const first: Runner = new Runner({
      ...base(m),
      queue,
      ledger,
      settings,
      workerId: "first",
      onProgress: (_j, e) => {
        if (e.type === "part_uploaded") cut ??= first.stop({ abort: true });
      },
    });
    first.on("job_failed", (_j, info) => failed.push(info.disposition));
    first.on("job_interrupted", (j) => interrupted.push(j.source.key));
    first.start();
    await first.done();
    await cut;
    // an interruption, not a failure
    expect(failed).toEqual([]);
    expect(interrupted).toEqual([big.source.key]);
    const mid = await ledger.get(big);
    expect(mid).toMatchObject({ status: "running", attempts: 0, failures: 0, workerId: "first" });
    expect(mid?.uploadId).toBeTruthy();
    expect(await queue.depth()).toMatchObject({ visible: 1, inFlight: 0 });

    const second = new Runner({
      ...base(m),
      queue,
      ledger,
      settings,
      workerId: "second",
      stopWhenIdle: true,
    });
    const results: { partsReused: number; status: string }[] = [];
    second.on("job_done", (_j, r) => results.push({ partsReused: r.partsReused, status: r.status }));
    second.start();
    await second.done();
    expect(results).toHaveLength(1);
    expect(results[0]?.status).toBe("copied");
    expect(results[0]?.partsReused).toBeGreaterThanOrEqual(1);
    expect((await getBytes(dst, big.destination.bucket, big.destination.key)).equals(body)).toBe(true);
    // the cut attempt is not counted: one attempt ended, and it copied the object
    expect(await ledger.get(big)).toMatchObject({ status: "done", attempts: 1, workerId: "second" });
    expect((await ledger.get(big))?.uploadId).toBeUndefined();
  });
});

describe("Runner on SQS and DynamoDB", () => {
  it("copies objects announced by the source bucket's own S3 event notifications", async () => {
    const { m } = await setUp("events");
    const sqs = sqsFor(global);
    const { queue, queueArn } = await createTestSqsQueue(sqs, { maxReceiveCount: 3 });
    await src.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: m.source.bucket,
        NotificationConfiguration: {
          QueueConfigurations: [{ QueueArn: queueArn, Events: ["s3:ObjectCreated:*"] }],
        },
      }),
    );
    const keys = ["in/photo one.jpg", "in/a+b/ü.txt", "elsewhere/not-mine.txt"];
    for (const k of keys) await putObject(src, m.source.bucket, k, bytesFor(k, 100));
    const { ledger } = await createTestDynamoLedger(dynamoFor(global));
    const runner = new Runner({ ...base(m), queue, ledger, stopWhenIdle: true });
    const rejected: string[] = [];
    runner.on("message_rejected", (i) => rejected.push(i.reason));
    runner.start();
    await runner.done();
    for (const k of keys.slice(0, 2)) {
      const out = `out/${k.slice(3)}`;
      expect((await getBytes(dst, m.destination.bucket, out)).equals(bytesFor(k, 100))).toBe(true);
    }
    expect((await ledger.summary("events")).counters.done.objects).toBe(2);
    // Configuring the notification sent an s3:TestEvent; it was deleted, not copied.
    expect(rejected).toEqual(["s3:TestEvent"]);
    expect(await queue.depth()).toEqual({ visible: 0, inFlight: 0, dead: 0 });
  });

  it("dead-letters a job that keeps failing and records why in the ledger", async () => {
    const { m, job } = await setUp("poison");
    const poison = {
      ...job("p.txt", 10),
      destination: { bucket: uniqueBucket("no-such-bucket"), key: "out/p.txt" },
    };
    await putObject(src, poison.source.bucket, poison.source.key, bytesFor("p", 10));
    const { queue } = await createTestSqsQueue(sqsFor(global), { maxReceiveCount: 2 });
    const { ledger } = await createTestDynamoLedger(dynamoFor(global));
    await queue.send(await ledger.enqueue([poison], new Date()));
    const runner = new Runner({
      ...base(m),
      queue,
      ledger,
      stopWhenIdle: true,
      settings: { maxRetries: 1, maxAttempts: 2 },
    });
    const dispositions: string[] = [];
    runner.on("job_failed", (_j, i) => dispositions.push(i.disposition));
    runner.start();
    await runner.done();
    expect(dispositions).toEqual(["released", "dead-lettered"]);
    const s = await ledger.summary("poison");
    expect(s.counters.failed.objects).toBe(1);
    expect(s.failures[0]).toMatchObject({ sourceKey: "in/p.txt", attempts: 2, failures: 2 });
    expect(s.failures[0]?.lastError).toMatch(/gave up after 2 failed attempts: .*NoSuchBucket/);
    expect(await queue.depth()).toEqual({ visible: 0, inFlight: 0, dead: 1 });
  });
});
