import { createHash } from "node:crypto";
import { HeadObjectCommand, PutBucketEncryptionCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { DestinationEncryption, Job } from "../../../worker/src/job/index.js";
import {
  type CopyOptions,
  copyObject,
  type ResumePoint,
  type ResumeStore,
} from "../../../worker/src/transfer/index.js";
import { type KmsEtagProxy, opaqueEtag, startKmsEtagProxy } from "../../support/kms-etag-proxy.js";
import {
  clientFor,
  freshBucket,
  getBytes,
  jobFor,
  KiB,
  MiB,
  putMultipart,
  putObject,
  randomData,
  sha256,
} from "./helpers.js";

const { global, china } = inject("emulator");

const keyId = "arn:aws-cn:kms:cn-north-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const kms: DestinationEncryption = { type: "SSE-KMS", keyId, bucketKey: true };
const md5 = (data: Uint8Array) => createHash("md5").update(data).digest("hex");

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

describe("destination server-side encryption", () => {
  let source: S3Client;
  /** The destination straight to the emulator, for looking at what was stored. */
  let direct: S3Client;
  /** The destination behind a proxy that answers SSE-KMS writes with opaque ETags, as S3 does. */
  let proxy: KmsEtagProxy;
  let destination: S3Client;
  let srcBucket: string;
  let destBucket: string;
  const small = randomData(64 * KiB);
  const big = randomData(11 * MiB);
  let bigEtag: string;

  beforeAll(async () => {
    source = await clientFor(global);
    direct = await clientFor(china);
    proxy = await startKmsEtagProxy(china.endpoint);
    destination = await clientFor(china, proxy.endpoint);
    srcBucket = await freshBucket(source, global, "sse");
    destBucket = await freshBucket(direct, china, "sse");
    await putObject(source, { Bucket: srcBucket, Key: "small", Body: small });
    bigEtag = await putMultipart(source, srcBucket, "big", big, 5 * MiB);
  });
  afterAll(async () => {
    await proxy?.close();
  });

  const withEncryption = (job: Job, encryption: DestinationEncryption | undefined): Job => ({
    ...job,
    destination: { ...job.destination, ...(encryption === undefined ? {} : { encryption }) },
  });
  const options = (extra: Partial<CopyOptions> = {}): CopyOptions => ({ source, destination, ...extra });
  const requestsSince = (from: number) => proxy.requests.slice(from);
  const writes = (from: number) =>
    requestsSince(from).filter(
      (r) =>
        (r.method === "PUT" && !r.url.includes("partNumber=")) ||
        (r.method === "POST" && r.url.includes("uploads")),
    );

  it("sends SSE-KMS with the key and the bucket key on every PUT and CreateMultipartUpload, and Content-MD5 on every body", async () => {
    const from = proxy.requests.length;
    const listed = await copyObject(
      withEncryption(jobFor(srcBucket, "small", destBucket, "kms/listed", { size: small.length }), kms),
      options(),
    );
    const headed = await copyObject(
      withEncryption(jobFor(srcBucket, "small", destBucket, "kms/headed"), kms),
      options(),
    );
    const multipart = await copyObject(
      withEncryption(jobFor(srcBucket, "big", destBucket, "kms/big"), kms),
      options(),
    );
    for (const r of [listed, headed, multipart]) expect(r.status).toBe("copied");

    const sent = writes(from);
    expect(sent.map((r) => r.method)).toEqual(["PUT", "PUT", "POST"]);
    for (const r of sent) {
      expect(r.headers["x-amz-server-side-encryption"]).toBe("aws:kms");
      expect(r.headers["x-amz-server-side-encryption-aws-kms-key-id"]).toBe(keyId);
      expect(r.headers["x-amz-server-side-encryption-bucket-key-enabled"]).toBe("true");
    }
    const bodies = requestsSince(from).filter((r) => r.method === "PUT");
    expect(bodies).toHaveLength(2 + 3);
    for (const r of bodies) expect(r.headers["content-md5"]).toMatch(/^[A-Za-z0-9+/]{22}==$/);

    for (const key of ["kms/listed", "kms/big"]) {
      const head = await direct.send(new HeadObjectCommand({ Bucket: destBucket, Key: key }));
      expect(head.ServerSideEncryption).toBe("aws:kms");
      expect(head.SSEKMSKeyId).toBe(keyId);
    }
    expect(sha256(await getBytes(direct, destBucket, "kms/big"))).toBe(sha256(big));
  });

  it("records content-md5, not an ETag match, when the destination's ETags are not MD5s; the read proof stays named", async () => {
    const before = proxy.rewritten;
    const small1 = await copyObject(
      withEncryption(jobFor(srcBucket, "small", destBucket, "kms/v-small"), kms),
      options(),
    );
    const big1 = await copyObject(
      withEncryption(jobFor(srcBucket, "big", destBucket, "kms/v-big"), kms),
      options(),
    );
    // the opaque ETags really reached the engine: the branch that cannot compare them ran
    expect(proxy.rewritten).toBeGreaterThan(before);
    expect(small1).toMatchObject({
      status: "copied",
      verification: "content-md5",
      readProof: "source-etag",
      destinationEtag: opaqueEtag(md5(small)),
    });
    expect(big1).toMatchObject({ status: "copied", verification: "content-md5", readProof: "source-etag" });
    expect(big1.destinationEtag).not.toBe(bigEtag);
    expect(big1.destinationEtag).toMatch(/^[0-9a-f]{32}-3$/);
    expect(sha256(await getBytes(direct, destBucket, "kms/v-big"))).toBe(sha256(big));
  });

  it("finds a copy on an SSE-KMS destination identical by provenance and size, never by its ETag", async () => {
    const job = withEncryption(jobFor(srcBucket, "big", destBucket, "kms/again"), kms);
    expect((await copyObject(job, options())).status).toBe("copied");
    const from = proxy.requests.length;
    const again = await copyObject(job, options());
    expect(again).toMatchObject({ status: "identical", identicalBy: "provenance" });
    expect(again).not.toHaveProperty("verification");
    expect(writes(from)).toEqual([]);
  });

  it("keeps the parts of an interrupted SSE-KMS upload and completes it with their own ETags", async () => {
    const job = withEncryption(jobFor(srcBucket, "big", destBucket, "kms/resumed"), kms);
    const store = new MemoryResumeStore();
    const stop = new AbortController();
    let uploaded = 0;
    const first = await copyObject(
      job,
      options({
        resumeStore: store,
        signal: stop.signal,
        settings: { partsInParallel: 1 },
        onProgress: (e) => {
          if (e.type === "part_uploaded" && ++uploaded === 2) stop.abort(new Error("test interrupt"));
        },
      }),
    );
    expect(first.status).toBe("failed");
    expect(store.points.size).toBe(1);
    const from = proxy.requests.length;
    const second = await copyObject(job, options({ resumeStore: store }));
    expect(second).toMatchObject({ status: "copied", partsReused: 2, verification: "content-md5" });
    const partsSent = requestsSince(from).filter((r) => r.method === "PUT" && r.url.includes("partNumber="));
    expect(partsSent.map((r) => new URL(r.url, "http://x").searchParams.get("partNumber"))).toEqual(["3"]);
    expect(sha256(await getBytes(direct, destBucket, "kms/resumed"))).toBe(sha256(big));
  });

  it("sends SSE-S3 as AES256 and still checks the ETag, whose MD5 it keeps", async () => {
    const from = proxy.requests.length;
    const r = await copyObject(
      withEncryption(jobFor(srcBucket, "big", destBucket, "s3/big"), { type: "SSE-S3" }),
      options(),
    );
    expect(r).toMatchObject({ status: "copied", verification: "source-etag", destinationEtag: bigEtag });
    expect(r).not.toHaveProperty("readProof");
    const sent = writes(from);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.headers["x-amz-server-side-encryption"]).toBe("AES256");
    expect(sent[0]?.headers).not.toHaveProperty("x-amz-server-side-encryption-aws-kms-key-id");
    const head = await direct.send(new HeadObjectCommand({ Bucket: destBucket, Key: "s3/big" }));
    expect(head.ServerSideEncryption).toBe("AES256");
  });

  it("without encryption sends no SSE header: the bucket's default applies, and an SSE-KMS default is recognised by the answer", async () => {
    const kmsDefault = await freshBucket(direct, china, "sse-default");
    await direct.send(
      new PutBucketEncryptionCommand({
        Bucket: kmsDefault,
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: keyId } }],
        },
      }),
    );
    const from = proxy.requests.length;
    const r = await copyObject(jobFor(srcBucket, "small", kmsDefault, "by-default"), options());
    expect(r).toMatchObject({ status: "copied", verification: "content-md5", readProof: "source-etag" });
    const [put] = writes(from);
    expect(put?.headers).not.toHaveProperty("x-amz-server-side-encryption");
    const head = await direct.send(new HeadObjectCommand({ Bucket: kmsDefault, Key: "by-default" }));
    expect(head.ServerSideEncryption).toBe("aws:kms");
  });

  it("the emulator itself answers SSE-KMS writes with MD5 ETags (why the proxy above plays S3)", async () => {
    const r = await copyObject(withEncryption(jobFor(srcBucket, "small", destBucket, "kms/direct"), kms), {
      source,
      destination: direct,
    });
    // asked for SSE-KMS, the engine does not rely on the ETag even where it happens to be the MD5
    expect(r).toMatchObject({ status: "copied", verification: "content-md5", destinationEtag: md5(small) });
    const head = await direct.send(new HeadObjectCommand({ Bucket: destBucket, Key: "kms/direct" }));
    expect(head.ServerSideEncryption).toBe("aws:kms");
    expect(head.ETag).toBe(`"${md5(small)}"`);
  });
});
