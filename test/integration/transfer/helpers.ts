import { createHash, randomBytes } from "node:crypto";
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  PutObjectCommand,
  type PutObjectCommandInput,
  type PutObjectCommandOutput,
  type S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll } from "vitest";
import type { Job } from "../../../worker/src/job/index.js";
import { createS3Client, type S3ClientOptions } from "../../../worker/src/s3/index.js";
import type { ResumePoint, ResumeStore } from "../../../worker/src/transfer/index.js";
import { uniqueBucket } from "../../emulator/clients.js";
import type { EmulatorSide } from "../../emulator/emulator.js";
import { type FaultProxy, type FaultProxyOptions, startFaultProxy } from "../../support/fault-proxy.js";
import { createBucket } from "../../support/s3-objects.js";

export const KiB = 1024;
export const MiB = 1024 * 1024;

/** A client built by the engine's own factory for one emulator side (optionally through a proxy). */
export function clientFor(
  side: EmulatorSide,
  endpoint: string = side.endpoint,
  options: S3ClientOptions = {},
): Promise<S3Client> {
  return createS3Client(
    { region: side.region, endpoint, credentials: "default" },
    {
      credentials: { accessKeyId: side.accessKeyId, secretAccessKey: side.secretAccessKey },
      maxAttempts: 5,
      ...options,
    },
  );
}

/** Creates a fresh bucket on one side and returns its name. */
export async function freshBucket(s3: S3Client, side: EmulatorSide, prefix: string): Promise<string> {
  const Bucket = uniqueBucket(`${prefix}-${side.name}`);
  await createBucket(s3, Bucket, side.region);
  return Bucket;
}

export function sha256(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

export function putObject(s3: S3Client, input: PutObjectCommandInput): Promise<PutObjectCommandOutput> {
  return s3.send(new PutObjectCommand(input));
}

export async function getBytes(
  s3: S3Client,
  Bucket: string,
  Key: string,
  VersionId?: string,
): Promise<Buffer> {
  const out = await s3.send(new GetObjectCommand({ Bucket, Key, VersionId }));
  return Buffer.from((await out.Body?.transformToByteArray()) ?? new Uint8Array());
}

/** Uploads `data` in uniform parts of `partSize` (last one smaller), so its ETag is `md5-of-md5s-N`. */
export async function putMultipart(
  s3: S3Client,
  Bucket: string,
  Key: string,
  data: Buffer,
  partSize: number,
): Promise<string> {
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
  const Parts: { PartNumber: number; ETag: string }[] = [];
  for (let start = 0, n = 1; start < data.length; start += partSize, n++) {
    const out = await s3.send(
      new UploadPartCommand({
        Bucket,
        Key,
        UploadId,
        PartNumber: n,
        Body: data.subarray(start, start + partSize),
      }),
    );
    Parts.push({ PartNumber: n, ETag: out.ETag ?? "" });
  }
  const done = await s3.send(
    new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts } }),
  );
  return (done.ETag ?? "").replace(/"/g, "");
}

/**
 * Uploads `data` in parts of the given sizes (any legal layout, uneven ones included) and
 * returns the object's ETag (`md5-of-md5s-N`).
 */
export async function putParts(
  s3: S3Client,
  Bucket: string,
  Key: string,
  data: Buffer,
  sizes: readonly number[],
): Promise<string> {
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
  const Parts: { PartNumber: number; ETag: string }[] = [];
  let start = 0;
  for (const [i, size] of sizes.entries()) {
    const out = await s3.send(
      new UploadPartCommand({
        Bucket,
        Key,
        UploadId,
        PartNumber: i + 1,
        Body: data.subarray(start, start + size),
      }),
    );
    Parts.push({ PartNumber: i + 1, ETag: out.ETag ?? "" });
    start += size;
  }
  if (start !== data.length) throw new Error(`part sizes add up to ${start}, not ${data.length}`);
  const done = await s3.send(
    new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts } }),
  );
  return (done.ETag ?? "").replace(/"/g, "");
}

export function randomData(size: number): Buffer {
  return randomBytes(size);
}

export function jobFor(
  srcBucket: string,
  key: string,
  destBucket: string,
  destKey = key,
  extra: Partial<Job["source"]> = {},
): Job {
  return {
    migration: "test",
    source: { bucket: srcBucket, key, ...extra },
    destination: { bucket: destBucket, key: destKey },
  };
}

/** A suite's two sides: direct clients, a fresh bucket on each, and fault proxies on demand. */
export interface TwoSides {
  direct: { source: S3Client; destination: S3Client };
  srcBucket: string;
  destBucket: string;
  /** A fault proxy in front of `side` and an engine client through it; closed after the suite. */
  proxied(
    side: EmulatorSide,
    options?: Omit<FaultProxyOptions, "target">,
  ): Promise<{ proxy: FaultProxy; client: S3Client }>;
}

/**
 * Sets up {@link TwoSides} for the enclosing `describe` (global as the source, china as
 * the destination); its fields are filled in before the first test runs.
 */
export function twoSides(
  prefix: string,
  global: EmulatorSide,
  china: EmulatorSide,
  proxiedClientOptions: S3ClientOptions = {},
): TwoSides {
  const proxies: FaultProxy[] = [];
  const sides: TwoSides = {
    direct: {} as TwoSides["direct"],
    srcBucket: "",
    destBucket: "",
    async proxied(side, options = {}) {
      const proxy = await startFaultProxy({ target: side.endpoint, ...options });
      proxies.push(proxy);
      return { proxy, client: await clientFor(side, proxy.endpoint, proxiedClientOptions) };
    },
  };
  beforeAll(async () => {
    sides.direct = { source: await clientFor(global), destination: await clientFor(china) };
    sides.srcBucket = await freshBucket(sides.direct.source, global, prefix);
    sides.destBucket = await freshBucket(sides.direct.destination, china, prefix);
  });
  afterAll(async () => {
    await Promise.all(proxies.map((p) => p.close()));
  });
  return sides;
}

/** A resume store in memory, keyed by destination key, whose points a test can read. */
export class MemoryResumeStore implements ResumeStore {
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
