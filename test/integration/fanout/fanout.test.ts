import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Migration, normalizeMigration } from "../../../worker/src/config/index.js";
import type { Job } from "../../../worker/src/job/index.js";
import { SqliteLedger } from "../../../worker/src/ledger/index.js";
import { SqliteQueue } from "../../../worker/src/queue/index.js";
import { Runner } from "../../../worker/src/runner/index.js";
import { createS3Client } from "../../../worker/src/s3/index.js";
import {
  completeFanoutUpload,
  copyPartRange,
  openFanoutUpload,
  splitRanges,
} from "../../../worker/src/transfer/index.js";
import { type MotoServer, startMoto } from "../../emulator/moto.js";
import { gate, startFaultProxy } from "../../support/fault-proxy.js";
import { countRequests } from "../../support/ledgers.js";
import { bytesFor } from "../../support/s3-objects.js";
import { getBytes, KiB, putParts } from "../transfer/helpers.js";

// An emulator that takes 64 KiB parts, so an object of 100+ parts stays a few MiB.
const minPartSize = 64 * KiB;
const MiB = 1024 * KiB;
const credentials = {
  accessKeyId: "AKIDFANOUTTEST000001",
  secretAccessKey: "fanoutSecretKeyForTheEmulator00000001",
};
const dir = mkdtempSync(join(tmpdir(), "longbow-fanout-"));
/** The ranges the giant object below (101 parts) is cut into with ranges of up to 8 parts. */
const ranges101 = splitRanges(101, 8);

describe("a giant object fanned out across workers (embedded queue and ledger)", () => {
  let moto: MotoServer;
  let s3: S3Client;
  const client = (endpoint: string) =>
    createS3Client({ region: "us-east-1", endpoint, credentials: "default" }, { credentials });
  beforeAll(async () => {
    moto = await startMoto({ name: "fanout", env: { S3_UPLOAD_PART_MIN_SIZE: String(minPartSize) } });
    s3 = await client(moto.endpoint);
  });
  afterAll(async () => {
    await moto?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A source of 100 parts of 64 KiB and a 10 KiB tail, a migration, and its job. */
  async function giant(name: string): Promise<{ m: Migration; job: Job; data: Buffer; etag: string }> {
    const [sb, db] = [`${name}-src`, `${name}-dst`];
    await s3.send(new CreateBucketCommand({ Bucket: sb }));
    await s3.send(new CreateBucketCommand({ Bucket: db }));
    const sizes = [...Array.from({ length: 100 }, () => minPartSize), 10 * KiB];
    const data = bytesFor(
      name,
      sizes.reduce((a, b) => a + b, 0),
    );
    const etag = await putParts(s3, sb, "in/giant.bin", data, sizes);
    const m = normalizeMigration({
      name,
      source: { bucket: sb, prefix: "in/", region: "us-east-1" },
      destination: { bucket: db, prefix: "out/", region: "us-east-1" },
      limits: { fanoutThresholdMB: 1 },
    });
    const job: Job = {
      migration: name,
      source: { bucket: sb, key: "in/giant.bin", size: data.length, etag },
      destination: { bucket: db, key: "out/giant.bin" },
    };
    return { m, job, data, etag };
  }

  /** Three runners on one embedded queue and ledger, as `longbow migrate`'s slots or three workers. */
  function runners(
    m: Migration,
    state: { queue: SqliteQueue; ledger: SqliteLedger },
    sides: { source: S3Client; destination: S3Client },
  ) {
    return [0, 1, 2].map(
      (i) =>
        new Runner({
          ...state,
          migrations: async () => [m],
          clients: async () => sides,
          waitSeconds: 1,
          retryBaseDelaySeconds: 0,
          stopWhenIdle: true,
          workerId: `w${i}`,
          settings: { filesInParallel: 1, partsInParallel: 2, fanoutPartsPerRange: 8 },
          transfer: { minPartSize },
        }),
    );
  }

  it("copies the ranges on every runner into one upload, completes it once, and counts one object", async () => {
    const { m, job, data, etag } = await giant("fan-one");
    const state = {
      queue: new SqliteQueue({ path: join(dir, "q1.db"), pollIntervalMs: 20 }),
      ledger: new SqliteLedger({ path: join(dir, "l1.db") }),
    };
    const destination = await client(moto.endpoint);
    const requests = countRequests(destination);
    await state.queue.send(await state.ledger.enqueue([job], new Date()));
    const fleet = runners(m, state, { source: s3, destination });
    const shared: string[][] = fleet.map(() => []);
    const done: string[] = [];
    fleet.forEach((r, i) => {
      r.on("job_shared", (_j, info) => shared[i]?.push(info.note));
      r.on("job_done", (j, result) =>
        done.push(`${j.range === undefined ? "object" : "range"}:${result.status}`),
      );
    });
    for (const r of fleet) r.start();
    await Promise.all(fleet.map((r) => r.done()));

    expect((await getBytes(s3, job.destination.bucket, job.destination.key)).equals(data)).toBe(true);
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: job.destination.bucket, Key: job.destination.key }),
    );
    expect(head.ETag?.replace(/"/g, "")).toBe(etag); // the source's md5-of-md5s-101, mirrored
    expect(requests.CreateMultipartUpload).toBe(1);
    expect(requests.CompleteMultipartUpload).toBe(1);
    // 101 parts in ranges of up to 8: one split, then every range, all but the completing one shared
    expect(shared.flat().filter((n) => n.startsWith(`split into ${ranges101.length} ranges`))).toHaveLength(
      1,
    );
    expect(shared.flat().filter((n) => n.startsWith("range"))).toHaveLength(ranges101.length - 1);
    expect(done).toEqual(["range:copied"]);
    const summary = await state.ledger.summary(m.name);
    expect(summary.counters.done).toEqual({ objects: 1, bytes: data.length });
    expect(summary.counters.pending.objects).toBe(0);
    expect(summary.verified["source-etag"].objects).toBe(1);
    expect(summary.fanouts).toBeUndefined();
    expect(await state.ledger.get(job)).toMatchObject({
      status: "done",
      attempts: 1,
      verification: "source-etag",
    });
    expect(await state.ledger.fanout(job)).toMatchObject({
      ended: "completed",
      partsDone: 101,
      rangesTotal: ranges101.length,
    });
    const left = await s3.send(new ListMultipartUploadsCommand({ Bucket: job.destination.bucket }));
    expect(left.Uploads ?? []).toEqual([]);
  });

  it("a busy worker holds no range it cannot start: a second worker copies all the others", async () => {
    const { m, job, data, etag } = await giant("fan-hoard");
    const state = {
      queue: new SqliteQueue({ path: join(dir, "q4.db"), pollIntervalMs: 20 }),
      ledger: new SqliteLedger({ path: join(dir, "l4.db") }),
    };
    // The busy worker's UploadParts are held until the other worker has copied every range
    // but the busy one's: a range it received and could not start (its four connections
    // all taken by one range of width 4) would stay hidden in its hands until then.
    const held = gate();
    let busyCopying!: () => void;
    const copying = new Promise<void>((r) => {
      busyCopying = r;
    });
    const proxy = await startFaultProxy({
      target: moto.endpoint,
      beforeForward: async (r) => {
        if (r.method !== "PUT" || !/[?&]partNumber=/.test(r.url)) return;
        busyCopying();
        await held.pass();
      },
    });
    const worker = (id: string, destination: S3Client, partsInParallel: number) =>
      new Runner({
        ...state,
        migrations: async () => [m],
        clients: async () => ({ source: s3, destination }),
        waitSeconds: 1,
        retryBaseDelaySeconds: 0,
        stopWhenIdle: true,
        workerId: id,
        settings: { filesInParallel: 1, partsInParallel, fanoutPartsPerRange: 8 },
        transfer: { minPartSize },
      });
    try {
      // pool of 4: it would receive up to four ranges at once and run one
      const busy = worker("busy", await client(proxy.endpoint), 4);
      const other = worker("other", s3, 2);
      const rangesDone = (r: Runner) => {
        const seen = new Set<number>();
        const mark = (j: Job) => {
          if (j.range !== undefined) seen.add(j.range.index);
        };
        r.on("job_shared", mark);
        r.on("job_done", mark);
        return seen;
      };
      const [byBusy, byOther] = [rangesDone(busy), rangesDone(other)];
      await state.queue.send(await state.ledger.enqueue([job], new Date()));
      busy.start();
      await copying;
      // the other worker copies every range the busy one does not run, while it is held
      const others = new Promise<void>((resolve) => {
        const check = () => {
          if (byOther.size >= ranges101.length - 1) resolve();
        };
        other.on("job_shared", check);
        other.on("job_done", check);
      });
      other.start();
      let timer: NodeJS.Timeout | undefined;
      const gaveUp = new Promise<"stuck">((r) => {
        timer = setTimeout(() => r("stuck"), 60_000);
      });
      const got = await Promise.race([others.then(() => "all" as const), gaveUp]);
      clearTimeout(timer);
      held.open();
      await Promise.all([busy.done(), other.done()]);
      expect(got, `other copied ranges ${[...byOther].join(",")}`).toBe("all");
      expect(byBusy.size).toBe(1);
      expect(byOther.size).toBe(ranges101.length - 1);
      expect([...byBusy].some((i) => byOther.has(i))).toBe(false);
      expect((await getBytes(s3, job.destination.bucket, job.destination.key)).equals(data)).toBe(true);
      const head = await s3.send(
        new HeadObjectCommand({ Bucket: job.destination.bucket, Key: job.destination.key }),
      );
      expect(head.ETag?.replace(/"/g, "")).toBe(etag);
      // handing a range back is an interruption, not a failure: nothing counted against the object
      expect(await state.ledger.get(job)).toMatchObject({ status: "done", failures: 0 });
      expect((await state.queue.depth()).dead).toBe(0);
    } finally {
      held.open();
      await proxy.close();
    }
  });

  it("a worker starts its next range while its current range's last parts end", async () => {
    const { m, job, data, etag } = await giant("fan-overlap");
    const state = {
      queue: new SqliteQueue({ path: join(dir, "q6.db"), pollIntervalMs: 20 }),
      ledger: new SqliteLedger({ path: join(dir, "l6.db") }),
    };
    // The last part of the first range copied is held at the destination until another
    // range's ListParts arrives: a worker that takes its next range only once the current
    // one has ended would never send it, and the part would be held until the test gives up.
    const isListParts = (r: { method: string; url: string }) =>
      r.method === "GET" && /[?&]uploadId=/.test(r.url) && !/[?&]partNumber=/.test(r.url);
    let listParts = 0;
    let seenAtFirstRange: number | undefined;
    let firstRange: number | undefined;
    let nextListParts!: () => void;
    const overlapped = new Promise<"overlapped">((resolve) => {
      nextListParts = () => resolve("overlapped");
    });
    let giveUp!: () => void;
    const gaveUp = new Promise<"stuck">((resolve) => {
      giveUp = () => resolve("stuck");
    });
    let held: Promise<"overlapped" | "stuck"> | undefined;
    const proxy = await startFaultProxy({
      target: moto.endpoint,
      beforeForward: async (r) => {
        if (isListParts(r)) {
          listParts++;
          if (seenAtFirstRange !== undefined && listParts > seenAtFirstRange) nextListParts();
          return;
        }
        const part = /[?&]partNumber=(\d+)/.exec(r.url);
        if (r.method !== "PUT" || part === null) return;
        const n = Number(part[1]);
        const range = ranges101.findIndex((x) => x.first <= n && n <= x.last);
        if (firstRange === undefined) {
          firstRange = range;
          seenAtFirstRange = listParts;
        }
        if (range === firstRange && n === ranges101[range]?.last) {
          held = Promise.race([overlapped, gaveUp]);
          await held;
        }
      },
    });
    // a bound on the failure only: the assertion is on the order of the requests
    const timer = setTimeout(giveUp, 30_000);
    try {
      const runner = new Runner({
        ...state,
        migrations: async () => [m],
        clients: async () => ({ source: s3, destination: await client(proxy.endpoint) }),
        waitSeconds: 1,
        retryBaseDelaySeconds: 0,
        stopWhenIdle: true,
        workerId: "w",
        // two connections, ranges of 8 parts: one range fills the worker
        settings: { filesInParallel: 1, partsInParallel: 2, fanoutPartsPerRange: 8 },
        transfer: { minPartSize },
      });
      const ranges = new Set<number>();
      const mark = (j: Job) => {
        if (j.range !== undefined) ranges.add(j.range.index);
      };
      runner.on("job_shared", mark);
      runner.on("job_done", mark);
      await state.queue.send(await state.ledger.enqueue([job], new Date()));
      runner.start();
      await runner.done();
      expect(await held).toBe("overlapped");
      expect(ranges.size).toBe(ranges101.length);
      expect((await getBytes(s3, job.destination.bucket, job.destination.key)).equals(data)).toBe(true);
      const head = await s3.send(
        new HeadObjectCommand({ Bucket: job.destination.bucket, Key: job.destination.key }),
      );
      expect(head.ETag?.replace(/"/g, "")).toBe(etag);
      expect(proxy.requests.filter((r) => r.method === "POST" && /[?&]uploadId=/.test(r.url))).toHaveLength(
        1,
      );
      // taking the next range early is no interruption or failure of either range
      expect(await state.ledger.get(job)).toMatchObject({ status: "done", attempts: 1, failures: 0 });
      expect((await state.queue.depth()).dead).toBe(0);
      const left = await s3.send(new ListMultipartUploadsCommand({ Bucket: job.destination.bucket }));
      expect(left.Uploads ?? []).toEqual([]);
    } finally {
      clearTimeout(timer);
      giveUp();
      await proxy.close();
    }
  });

  it("a range that fails transiently is tried again without spending the object's attempts", async () => {
    const { m, job, data, etag } = await giant("fan-transient");
    const state = {
      queue: new SqliteQueue({ path: join(dir, "q5.db"), pollIntervalMs: 20 }),
      ledger: new SqliteLedger({ path: join(dir, "l5.db") }),
    };
    // part 9 (the first of the second range) is throttled three times over: with one
    // request attempt each, the range fails three deliveries in a row
    let throttled = 0;
    const proxy = await startFaultProxy({
      target: moto.endpoint,
      fault: (r) => {
        if (r.method !== "PUT" || !/[?&]partNumber=9(&|$)/.test(r.url) || throttled >= 3) return "none";
        throttled++;
        return "slowDown503";
      },
    });
    try {
      const destination = await createS3Client(
        { region: "us-east-1", endpoint: proxy.endpoint, credentials: "default" },
        { credentials, maxAttempts: 1 },
      );
      const runner = new Runner({
        ...state,
        migrations: async () => [m],
        clients: async () => ({ source: s3, destination }),
        waitSeconds: 1,
        retryBaseDelaySeconds: 0,
        stopWhenIdle: true,
        workerId: "w",
        // one failed attempt of the object would give it up: only real failures may count
        settings: {
          filesInParallel: 1,
          partsInParallel: 2,
          fanoutPartsPerRange: 8,
          maxAttempts: 1,
          maxRetries: 1,
        },
        transfer: { minPartSize },
      });
      const retried: string[] = [];
      runner.on("job_failed", (j, info) => {
        if (j.range !== undefined) retried.push(`${info.disposition}: ${info.reason}`);
      });
      await state.queue.send(await state.ledger.enqueue([job], new Date()));
      runner.start();
      await runner.done();
      expect(throttled).toBe(3);
      expect(retried).toHaveLength(3);
      for (const r of retried)
        expect(r).toMatch(new RegExp(`^released: range 2 of ${ranges101.length} failed transiently`));
      expect((await getBytes(s3, job.destination.bucket, job.destination.key)).equals(data)).toBe(true);
      const head = await s3.send(
        new HeadObjectCommand({ Bucket: job.destination.bucket, Key: job.destination.key }),
      );
      expect(head.ETag?.replace(/"/g, "")).toBe(etag);
      expect(await state.ledger.get(job)).toMatchObject({ status: "done", failures: 0 });
      expect(await state.ledger.fanout(job)).toMatchObject({ ended: "completed" });
      expect((await state.queue.depth()).dead).toBe(0);
    } finally {
      await proxy.close();
    }
  });

  it("records at the split whether part ETags are MD5s; an SSE-KMS completion claims no ETag match", async () => {
    // moto echoes only a requested encryption in CreateMultipartUpload's answer, not the
    // bucket's default: the KMS completion path is driven by the recorded flag here
    const { job, data } = await giant("fan-kms");
    const copy = { source: s3, destination: s3, minPartSize };
    const opening = await openFanoutUpload(job, copy, { threshold: MiB, partsPerRange: 8 });
    if (opening.kind !== "open") throw new Error(`not fanned out: ${opening.reason}`);
    // no SSE-KMS in the answer: the split records the part ETags as MD5s
    expect(opening.partEtagsAreMd5).toBe(true);
    for (const range of opening.ranges) {
      expect((await copyPartRange({ ...job, range }, copy)).status).toBe("copied");
    }
    const last = { ...job, range: opening.ranges.at(-1) as NonNullable<Job["range"]> };
    const done = await completeFanoutUpload(last, copy, { partEtagsAreMd5: false });
    expect(done.status, done.error).toBe("copied");
    // only each part's Content-MD5, accepted by S3: no read proof, no ETag match claimed
    expect(done.verification).toBe("content-md5");
    expect(done.readProof).toBeUndefined();
    expect((await getBytes(s3, job.destination.bucket, job.destination.key)).equals(data)).toBe(true);
  });

  it("fans out across the parallel slots of one process (local mode's single runner)", async () => {
    const { m, job, data } = await giant("fan-local");
    const state = {
      queue: new SqliteQueue({ path: join(dir, "q3.db"), pollIntervalMs: 20 }),
      ledger: new SqliteLedger({ path: join(dir, "l3.db") }),
    };
    await state.queue.send(await state.ledger.enqueue([job], new Date()));
    const runner = new Runner({
      ...state,
      migrations: async () => [m],
      clients: async () => ({ source: s3, destination: s3 }),
      waitSeconds: 1,
      retryBaseDelaySeconds: 0,
      stopWhenIdle: true,
      workerId: "local",
      settings: { filesInParallel: 4, partsInParallel: 1, fanoutPartsPerRange: 8 },
      transfer: { minPartSize },
    });
    // ranges in flight at once: received and not yet finished
    let inFlight = 0;
    let most = 0;
    runner.on("job_received", (j) => {
      if (j.range !== undefined) most = Math.max(most, ++inFlight);
    });
    const ended = (j: Job) => {
      if (j.range !== undefined) inFlight--;
    };
    runner.on("job_shared", ended);
    runner.on("job_done", ended);
    runner.start();
    await runner.done();
    expect(most).toBeGreaterThanOrEqual(2);
    expect((await getBytes(s3, job.destination.bucket, job.destination.key)).equals(data)).toBe(true);
    expect((await state.ledger.summary(m.name)).counters.done.objects).toBe(1);
  });

  it("aborts the upload when the source changes mid-copy; the other ranges end source-changed", async () => {
    const { m, job } = await giant("fan-changed");
    const state = {
      queue: new SqliteQueue({ path: join(dir, "q2.db"), pollIntervalMs: 20 }),
      ledger: new SqliteLedger({ path: join(dir, "l2.db") }),
    };
    // the source is rewritten as the first part of the fourth range (part 25) is read
    let rewritten = false;
    const proxy = await startFaultProxy({
      target: moto.endpoint,
      beforeForward: async (r) => {
        if (rewritten || r.method !== "GET" || !r.url.includes("giant.bin") || !r.headers.range) return;
        if (r.headers.range !== `bytes=${24 * minPartSize}-${25 * minPartSize - 1}`) return;
        rewritten = true;
        await s3.send(
          new PutObjectCommand({
            Bucket: job.source.bucket,
            Key: job.source.key,
            Body: Buffer.from("new version"),
          }),
        );
      },
    });
    try {
      const source = await client(proxy.endpoint);
      const ranSkipped: string[] = [];
      const workers = runners(m, state, { source, destination: s3 });
      for (const w of workers) w.on("job_done", (_j, r) => ranSkipped.push(r.status));
      await state.queue.send(await state.ledger.enqueue([job], new Date()));
      for (const w of workers) w.start();
      await Promise.all(workers.map((w) => w.done()));
      expect(rewritten).toBe(true);
      // the ranges in flight meet the change themselves; those started later find the fan-out ended
      expect(ranSkipped.length).toBeGreaterThanOrEqual(1);
      expect(new Set(ranSkipped)).toEqual(new Set(["source-changed"]));
      const item = await state.ledger.get(job);
      expect(item).toMatchObject({ status: "skipped" });
      expect(await state.ledger.fanout(job)).toMatchObject({ ended: "aborted" });
      const summary = await state.ledger.summary(m.name);
      expect(summary.counters.skipped.objects).toBe(1);
      expect(summary.counters.done.objects).toBe(0);
      // no orphan upload, no object at the destination
      const left = await s3.send(new ListMultipartUploadsCommand({ Bucket: job.destination.bucket }));
      expect(left.Uploads ?? []).toEqual([]);
      await expect(
        s3.send(new HeadObjectCommand({ Bucket: job.destination.bucket, Key: job.destination.key })),
      ).rejects.toThrow();
      expect((await state.queue.depth()).visible).toBe(0);
    } finally {
      await proxy.close();
    }
  });
});
