import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { ListMultipartUploadsCommand, ListPartsCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Job } from "../../../worker/src/job/index.js";
import { createS3Client } from "../../../worker/src/s3/index.js";
import {
  type CopyOptions,
  type CopyResult,
  copyObject,
  type ResumePoint,
  type ResumeStore,
  type TransferEvent,
} from "../../../worker/src/transfer/index.js";
import { type MotoServer, startMoto } from "../../emulator/moto.js";
import { type FaultProxy, gate, startFaultProxy } from "../../support/fault-proxy.js";
import { getBytes, jobFor, KiB, putObject, randomData, sha256 } from "./helpers.js";

// S3 (and moto by default) reject parts under 5 MiB. This test-only emulator accepts 64 KiB
// parts, so a 40+ part copy stays small; the engine's minimum is lowered by its option.
const minPartSize = 64 * KiB;
const partSize = 256 * KiB;
const credentials = {
  accessKeyId: "AKIDRESUMETEST000001",
  secretAccessKey: "resumeSecretKeyForTheEmulator000000001",
};
const childScript = new URL("./fixtures/copy-child.ts", import.meta.url).pathname;

class MemoryResumeStore implements ResumeStore {
  readonly points = new Map<string, ResumePoint>();
  async load(job: Job) {
    return this.points.get(job.destination.key);
  }
  async save(job: Job, point: ResumePoint) {
    this.points.set(job.destination.key, point);
  }
  async clear(job: Job) {
    this.points.delete(job.destination.key);
  }
}

describe("resuming an interrupted multipart copy", () => {
  let moto: MotoServer;
  let s3: S3Client;
  const proxies: FaultProxy[] = [];
  const bucket = "resume-src";
  const dest = "resume-dst";
  beforeAll(async () => {
    moto = await startMoto({ name: "resume", env: { S3_UPLOAD_PART_MIN_SIZE: String(minPartSize) } });
    s3 = await createS3Client(
      { region: "us-east-1", endpoint: moto.endpoint, credentials: "default" },
      { credentials },
    );
    const { CreateBucketCommand } = await import("@aws-sdk/client-s3");
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new CreateBucketCommand({ Bucket: dest }));
  });
  afterAll(async () => {
    await Promise.all(proxies.map((p) => p.close()));
    await moto?.stop();
  });

  const options = (extra: Partial<CopyOptions> = {}): CopyOptions => ({
    source: s3,
    destination: s3,
    minPartSize,
    ...extra,
    settings: { partSize, multipartThreshold: minPartSize, partsInParallel: 2, ...extra.settings },
  });

  /** Copies until `parts` parts were uploaded, then aborts (as a crash would, leaving the upload). */
  async function interruptedCopy(
    job: Job,
    parts: number,
    extra: Partial<CopyOptions> = {},
  ): Promise<CopyResult> {
    const stop = new AbortController();
    let uploaded = 0;
    return copyObject(job, {
      ...options(extra),
      signal: stop.signal,
      onProgress: (e) => {
        if (e.type === "part_uploaded" && ++uploaded === parts) stop.abort(new Error("test interrupt"));
      },
    });
  }

  /** Parts of the upload `known` (else the first one listed on the key). */
  async function partsAtDestination(
    key: string,
    known?: string,
  ): Promise<{ uploadId?: string; sizes: number[] }> {
    const up = await s3.send(new ListMultipartUploadsCommand({ Bucket: dest, Prefix: key }));
    const uploadId = known ?? up.Uploads?.find((u) => u.Key === key)?.UploadId;
    if (uploadId === undefined) return { sizes: [] };
    const parts = await s3.send(new ListPartsCommand({ Bucket: dest, Key: key, UploadId: uploadId }));
    return { uploadId, sizes: (parts.Parts ?? []).map((p) => p.Size ?? 0) };
  }

  it("survives SIGKILL at ten different points of a 42-part copy and re-sends only missing parts", async () => {
    const key = "killed/object.bin";
    const data = randomData(41 * partSize + 1000);
    await putObject(s3, { Bucket: bucket, Key: key, Body: data });
    const storeFile = join(mkdtempSync(join(tmpdir(), "longbow-resume-")), "resume.json");
    const config = JSON.stringify({
      endpoint: moto.endpoint,
      region: "us-east-1",
      ...credentials,
      srcBucket: bucket,
      destBucket: dest,
      key,
      partSize,
      minPartSize,
      storeFile,
    });
    const run = (killAt: string | number | undefined) =>
      new Promise<{ signal: NodeJS.Signals | null; lines: Record<string, unknown>[] }>((resolve, reject) => {
        const child = spawn(process.execPath, ["--import", "tsx", childScript, config], {
          stdio: ["pipe", "pipe", "inherit"],
        });
        const lines: Record<string, unknown>[] = [];
        let uploaded = 0;
        createInterface({ input: child.stdout }).on("line", (line) => {
          const event = JSON.parse(line) as Record<string, unknown>;
          lines.push(event);
          if (event.type === "part_uploaded") uploaded++;
          if (event.type === killAt || (typeof killAt === "number" && uploaded === killAt))
            child.kill("SIGKILL");
          // the child waits after each part until told to go on
          else if (event.type === "part_uploaded") child.stdin.write("\n");
        });
        child.stdin.on("error", () => {}); // written to after the kill
        child.on("error", reject);
        child.on("exit", (_code, signal) => resolve({ signal, lines }));
      });

    const storedUpload = () =>
      existsSync(storeFile)
        ? (JSON.parse(readFileSync(storeFile, "utf8")) as ResumePoint | null)?.uploadId
        : undefined;
    const killPoints: (string | number)[] = [
      "copy_planned",
      "upload_started",
      1,
      2,
      3,
      1,
      "upload_started",
      2,
      3,
      1,
    ];
    const partsSeen: number[] = [];
    for (const killAt of killPoints) {
      const { signal } = await run(killAt);
      expect(signal, `killed at ${killAt}`).toBe("SIGKILL");
      partsSeen.push((await partsAtDestination(key, storedUpload())).sizes.length);
    }
    // The upload kept growing across kills, never restarting from zero.
    for (let i = 1; i < partsSeen.length; i++)
      expect(partsSeen[i]).toBeGreaterThanOrEqual(partsSeen[i - 1] as number);
    const before = await partsAtDestination(key, storedUpload());
    const kept = before.sizes.filter((s) => s === partSize).length;
    expect(kept).toBeGreaterThan(5);

    const { signal, lines } = await run(undefined);
    expect(signal).toBeNull();
    const result = (lines.find((l) => l.type === "result") as { result: CopyResult }).result;
    expect(result).toMatchObject({ status: "copied", partsTotal: 42, partsReused: kept });
    expect(result.bytes).toBe(data.length - kept * partSize);
    expect(sha256(await getBytes(s3, dest, key))).toBe(sha256(data));
    expect(storedUpload()).toBeUndefined();
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: dest, Prefix: key }));
    expect((uploads.Uploads ?? []).map((u) => u.UploadId)).not.toContain(before.uploadId);
  });

  it("aborts an unfinished upload planned with another part size and starts a new one", async () => {
    const key = "resized/object.bin";
    const data = randomData(12 * partSize);
    await putObject(s3, { Bucket: bucket, Key: key, Body: data });
    const job = jobFor(bucket, key, dest);
    const store = new MemoryResumeStore();
    const first = await interruptedCopy(job, 4, { resumeStore: store });
    expect(first).toMatchObject({ status: "failed", retryable: true });
    const left = await partsAtDestination(key);
    expect(left.sizes.filter((s) => s === partSize).length).toBeGreaterThanOrEqual(4);
    const events: TransferEvent[] = [];
    const second = await copyObject(
      job,
      options({ resumeStore: store, settings: { partSize: 320 * KiB }, onProgress: (e) => events.push(e) }),
    );
    expect(events).toContainEqual(expect.objectContaining({ type: "upload_started", resumed: false }));
    expect(events).not.toContainEqual(
      expect.objectContaining({ type: "upload_started", uploadId: left.uploadId }),
    );
    expect(second).toMatchObject({ status: "copied", partsTotal: 10, partsReused: 0, bytes: data.length });
    expect(sha256(await getBytes(s3, dest, key))).toBe(sha256(data));
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: dest, Prefix: key }));
    expect(uploads.Uploads ?? []).toEqual([]);
  });

  it("resumes from the resume store's upload and clears it when done", async () => {
    const key = "stored/object.bin";
    const data = randomData(10 * partSize + 5);
    await putObject(s3, { Bucket: bucket, Key: key, Body: data });
    const store = new MemoryResumeStore();
    const job = jobFor(bucket, key, dest);
    await interruptedCopy(job, 3, { resumeStore: store });
    const point = store.points.get(key);
    expect(point).toMatchObject({ partSize, sourceEtag: expect.any(String) });
    expect((await partsAtDestination(key)).uploadId).toBe(point?.uploadId);
    const second = await copyObject(job, options({ resumeStore: store }));
    expect(second.status).toBe("copied");
    expect(second.partsReused).toBeGreaterThanOrEqual(3);
    expect(second.bytes).toBe(data.length - second.partsReused * partSize);
    expect(store.points.size).toBe(0);
    expect(sha256(await getBytes(s3, dest, key))).toBe(sha256(data));
  });

  it("does not reuse a stored upload begun from an older version of the source", async () => {
    const key = "stale/object.bin";
    await putObject(s3, { Bucket: bucket, Key: key, Body: randomData(6 * partSize) });
    const store = new MemoryResumeStore();
    const job = jobFor(bucket, key, dest);
    await interruptedCopy(job, 2, { resumeStore: store });
    const staleUpload = store.points.get(key)?.uploadId;
    const fresh = randomData(6 * partSize);
    await putObject(s3, { Bucket: bucket, Key: key, Body: fresh });
    const second = await copyObject(job, options({ resumeStore: store }));
    expect(second).toMatchObject({ status: "copied", partsReused: 0 });
    expect(sha256(await getBytes(s3, dest, key))).toBe(sha256(fresh));
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: dest, Prefix: key }));
    expect((uploads.Uploads ?? []).map((u) => u.UploadId)).not.toContain(staleUpload);
  });

  describe("a CompleteMultipartUpload that S3 carried out but whose answer was lost", () => {
    const isComplete = (r: { method: string; url: string }) =>
      r.method === "POST" && r.url.includes("uploadId=");
    const isCreate = (r: { method: string; url: string }) =>
      r.method === "POST" && /[?&]uploads(=|&|$)/.test(r.url);
    const isPart = (r: { method: string; url: string }) =>
      r.method === "PUT" && r.url.includes("partNumber=");

    async function lossyDestination(sdkAttempts: number) {
      let completes = 0;
      const hidden = { heads: 0 };
      const proxy = await startFaultProxy({
        target: moto.endpoint,
        // The first Complete is carried out and its answer lost; a retry of it is answered
        // as S3 answers for an upload that is no longer there. `hidden.heads` HEADs are
        // answered 404, as while S3 is still assembling a large object.
        fault: (r) => {
          if (isComplete(r)) return ++completes === 1 ? "answerLost" : "noSuchUpload";
          if (r.method === "HEAD" && hidden.heads > 0) {
            hidden.heads--;
            return "notFound";
          }
          return "none";
        },
      });
      proxies.push(proxy);
      const destination = await createS3Client(
        { region: "us-east-1", endpoint: proxy.endpoint, credentials: "default" },
        { credentials, maxAttempts: sdkAttempts },
      );
      return { proxy, destination, hidden };
    }

    it("is recognised when the SDK's retry of it answers NoSuchUpload: one upload, no copy made again", async () => {
      const key = "complete-lost/retried.bin";
      const data = randomData(6 * partSize);
      await putObject(s3, { Bucket: bucket, Key: key, Body: data });
      const { proxy, destination } = await lossyDestination(3);
      const store = new MemoryResumeStore();
      const result = await copyObject(
        jobFor(bucket, key, dest),
        options({ destination, resumeStore: store }),
      );
      expect(proxy.injected).toMatchObject({ answerLost: 1, noSuchUpload: 1 });
      expect(result).toMatchObject({ status: "copied" });
      expect(proxy.requests.filter(isCreate)).toHaveLength(1);
      expect(proxy.requests.filter(isPart)).toHaveLength(6);
      expect(store.points.size).toBe(0);
      expect(sha256(await getBytes(s3, dest, key))).toBe(sha256(data));
    });

    it("is found completed by the next attempt (the resume point records the Complete), with nothing sent again", async () => {
      const key = "complete-lost/next-attempt.bin";
      const data = randomData(6 * partSize);
      await putObject(s3, { Bucket: bucket, Key: key, Body: data });
      const { proxy, destination, hidden } = await lossyDestination(1);
      const store = new MemoryResumeStore();
      const job = jobFor(bucket, key, dest);
      const first = await copyObject(job, options({ destination, resumeStore: store }));
      expect(first.status).toBe("failed");
      expect(proxy.injected.answerLost).toBe(1);
      expect(store.points.get(key)?.completing).toMatch(/-6$/);
      const sentBefore = proxy.requests.length;
      // The copy's own HEAD and the first look after the upload turned out gone see nothing yet.
      hidden.heads = 2;
      const second = await copyObject(job, options({ destination, resumeStore: store }));
      expect(second).toMatchObject({ status: "copied", partsReused: 6, bytes: 0 });
      const sentAfter = proxy.requests.slice(sentBefore);
      expect(sentAfter.filter((r) => isCreate(r) || isPart(r) || isComplete(r))).toEqual([]);
      expect(proxy.injected.notFound).toBe(2);
      expect(proxy.requests.filter(isCreate)).toHaveLength(1);
      expect(store.points.size).toBe(0);
      expect(sha256(await getBytes(s3, dest, key))).toBe(sha256(data));
      const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: dest, Prefix: key }));
      expect(uploads.Uploads ?? []).toEqual([]);
    });
  });

  it("aborts in-flight requests at the job timeout and leaves the upload resumable", async () => {
    const key = "timeout/object.bin";
    const data = randomData(8 * partSize);
    await putObject(s3, { Bucket: bucket, Key: key, Body: data });
    // The first two parts are read; every later read is held until the copy has ended, so
    // only the job timeout can end it, with reads in flight and two parts at the destination.
    const held = gate();
    let reads = 0;
    const slow = await startFaultProxy({
      target: moto.endpoint,
      beforeForward: async (r) => {
        if (r.method === "GET" && r.headers.range !== undefined && ++reads > 2) await held.pass();
      },
    });
    proxies.push(slow);
    const slowSource = await createS3Client(
      { region: "us-east-1", endpoint: slow.endpoint, credentials: "default" },
      { credentials },
    );
    const job = jobFor(bucket, key, dest);
    const store = new MemoryResumeStore();
    const timedOut = await copyObject(
      job,
      options({
        source: slowSource,
        resumeStore: store,
        settings: { jobTimeoutSeconds: 1, partsInParallel: 1 },
      }),
    );
    const cut = held.waiting;
    held.open();
    expect(timedOut).toMatchObject({ status: "failed", errorCode: "JobTimeout", retryable: true });
    expect(cut).toBeGreaterThan(0);
    const left = await partsAtDestination(key);
    expect(left.uploadId).toBeDefined();
    expect(left.sizes).toEqual([partSize, partSize]);
    const resumed = await copyObject(job, options({ resumeStore: store }));
    expect(resumed.status).toBe("copied");
    expect(resumed.partsReused).toBe(left.sizes.length);
    expect(sha256(await getBytes(s3, dest, key))).toBe(sha256(data));
  });

  it("lists the uploads on the key beside the HEADs when the job is listed as large", async () => {
    const key = "early-lookup/object.bin";
    const data = randomData(10 * partSize);
    await putObject(s3, { Bucket: bucket, Key: key, Body: data });
    // The destination HEAD is held until the proxy sees the upload listing (or 5 s pass):
    // a lookup that waited for the HEADs would only arrive after that. (That the listing
    // finds a crashed copy's upload is unit-tested: moto dates every upload 2010-11-10.)
    let listingSeen: () => void = () => {};
    const listing = new Promise<void>((r) => {
      listingSeen = r;
    });
    let listedWhileHeadHeld = false;
    const proxy = await startFaultProxy({
      target: moto.endpoint,
      beforeForward: async (r) => {
        if (r.method === "GET" && r.url.includes("uploads")) listingSeen();
        if (r.method === "HEAD" && r.url.startsWith(`/${dest}/`)) {
          listedWhileHeadHeld = await Promise.race([
            listing.then(() => true),
            new Promise<boolean>((res) => setTimeout(() => res(false), 5000)),
          ]);
        }
      },
    });
    proxies.push(proxy);
    const viaProxy = await createS3Client(
      { region: "us-east-1", endpoint: proxy.endpoint, credentials: "default" },
      { credentials },
    );
    const listedJob = jobFor(bucket, key, dest, key, { size: data.length });
    const copied = await copyObject(listedJob, options({ destination: viaProxy }));
    expect(listedWhileHeadHeld).toBe(true);
    expect(copied).toMatchObject({ status: "copied", partsTotal: 10 });
    expect(sha256(await getBytes(s3, dest, key))).toBe(sha256(data));
    const listings = proxy.requests.filter((r) => r.method === "GET" && r.url.includes("uploads"));
    expect(listings).toHaveLength(1);
  });

  it("a redelivered job listed as large finds an identical destination with its HEADs alone", async () => {
    const key = "early-lookup/identical.bin";
    const data = randomData(4 * partSize);
    await putObject(s3, { Bucket: bucket, Key: key, Body: data });
    const job = jobFor(bucket, key, dest, key, { size: data.length });
    expect(await copyObject(job, options())).toMatchObject({ status: "copied" });
    const proxy = await startFaultProxy({ target: moto.endpoint });
    proxies.push(proxy);
    const viaProxy = await createS3Client(
      { region: "us-east-1", endpoint: proxy.endpoint, credentials: "default" },
      { credentials },
    );
    const again = await copyObject(job, options({ destination: viaProxy, redelivered: true }));
    expect(again.status).toBe("identical");
    expect(proxy.requests.map((r) => r.method)).toEqual(["HEAD"]);
  });
});
