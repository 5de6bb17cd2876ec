import { createCipheriv, createHash } from "node:crypto";
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { forEachLimit } from "./limit.js";
import { formatSize, parseSize } from "./sizes.js";

/** `count` objects of `size` bytes each. */
export interface DatasetGroup {
  count: number;
  size: number;
}

export interface DatasetObject {
  key: string;
  size: number;
}

/** Parses `1x256MiB,8x32MiB,200x64KiB,3x0`. */
export function parseDataset(spec: string): DatasetGroup[] {
  return spec.split(",").map((part) => {
    const m = /^\s*(\d+)\s*[x×]\s*(\S+)\s*$/.exec(part);
    if (!m) throw new Error(`not a data set group: '${part}' (use e.g. 8x32MiB)`);
    return { count: Number(m[1]), size: parseSize(m[2] as string) };
  });
}

export function describeDataset(groups: DatasetGroup[]): string {
  return groups.map((g) => `${g.count} × ${formatSize(g.size)}`).join(", ");
}

/** Keys are grouped by size so a listing shows the mix; names are stable across runs. */
export function datasetObjects(groups: DatasetGroup[], prefix = "set/"): DatasetObject[] {
  return groups.flatMap((g) =>
    Array.from({ length: g.count }, (_, i) => ({
      key: `${prefix}${formatSize(g.size).replace(" ", "")}/${String(i).padStart(5, "0")}.bin`,
      size: g.size,
    })),
  );
}

export const totalBytes = (objects: DatasetObject[]) => objects.reduce((n, o) => n + o.size, 0);

/**
 * Incompressible, repeatable bytes for one part of one object: an AES-CTR keystream keyed
 * by the object's key, so no two parts or objects share content and nothing is stored.
 */
export function contentOf(key: string, partIndex: number, size: number): Buffer {
  const seed = createHash("sha256").update(key).digest();
  const iv = Buffer.alloc(16);
  iv.writeUInt32BE(partIndex, 0);
  const cipher = createCipheriv("aes-256-ctr", seed, iv);
  return Buffer.concat([cipher.update(Buffer.alloc(size)), cipher.final()]);
}

export interface SeedOptions {
  /** Objects above this are uploaded in parts, as `aws s3 cp` does. @defaultValue 8 MiB */
  multipartThreshold?: number;
  /** @defaultValue 8 MiB (the AWS CLI's default) */
  partSize?: number;
  /** Requests in flight while seeding. @defaultValue 8 */
  concurrency?: number;
}

async function seedMultipart(
  s3: S3Client,
  bucket: string,
  o: DatasetObject,
  partSize: number,
  concurrency: number,
) {
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: o.key }));
  const count = Math.ceil(o.size / partSize);
  const parts: { PartNumber: number; ETag: string }[] = [];
  await forEachLimit(
    Array.from({ length: count }, (_, i) => i),
    concurrency,
    async (i) => {
      const body = contentOf(o.key, i, Math.min(partSize, o.size - i * partSize));
      const res = await s3.send(
        new UploadPartCommand({ Bucket: bucket, Key: o.key, UploadId, PartNumber: i + 1, Body: body }),
      );
      parts.push({ PartNumber: i + 1, ETag: res.ETag as string });
    },
  );
  parts.sort((a, b) => a.PartNumber - b.PartNumber);
  await s3.send(
    new CompleteMultipartUploadCommand({
      Bucket: bucket,
      Key: o.key,
      UploadId,
      MultipartUpload: { Parts: parts },
    }),
  );
}

/** Uploads the data set into `bucket` (which must exist). */
export async function seedDataset(
  s3: S3Client,
  bucket: string,
  objects: DatasetObject[],
  options: SeedOptions = {},
): Promise<void> {
  const threshold = options.multipartThreshold ?? 8 * 1024 * 1024;
  const partSize = options.partSize ?? 8 * 1024 * 1024;
  const concurrency = options.concurrency ?? 8;
  const large = objects.filter((o) => o.size > threshold);
  const small = objects.filter((o) => o.size <= threshold);
  for (const o of large) await seedMultipart(s3, bucket, o, partSize, concurrency);
  await forEachLimit(small, concurrency, async (o) => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: o.key, Body: contentOf(o.key, 0, o.size) }));
  });
}
