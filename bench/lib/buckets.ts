import {
  AbortMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
} from "@aws-sdk/client-s3";
import type { EmulatorSide } from "../../test/emulator/emulator.js";

export interface ListedObject {
  key: string;
  size: number;
  etag: string;
}

export { createBucket } from "../../test/support/s3-objects.js";

/** A plain SDK client straight to one emulator side (no key guard), for seeding and checking. */
export const s3For = (side: EmulatorSide): S3Client =>
  new S3Client({
    endpoint: side.directEndpoint,
    region: side.region,
    credentials: { accessKeyId: side.accessKeyId, secretAccessKey: side.secretAccessKey },
    forcePathStyle: true,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });

/** Every object under `prefix`, in key order. */
export async function listAll(s3: S3Client, bucket: string, prefix = ""): Promise<ListedObject[]> {
  const out: ListedObject[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) {
      out.push({ key: o.Key as string, size: o.Size ?? 0, etag: (o.ETag ?? "").replaceAll('"', "") });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

/**
 * Removes a bucket with its objects and unfinished uploads, so the emulator frees the
 * memory and temporary files they hold before the next run.
 */
export async function deleteBucket(s3: S3Client, bucket: string): Promise<void> {
  const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  for (const u of uploads.Uploads ?? []) {
    await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key, UploadId: u.UploadId }));
  }
  const objects = await listAll(s3, bucket);
  for (let i = 0; i < objects.length; i += 1000) {
    const batch = objects.slice(i, i + 1000).map((o) => ({ Key: o.key }));
    await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch, Quiet: true } }));
  }
  await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
}
