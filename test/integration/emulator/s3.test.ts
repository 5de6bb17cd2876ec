import type { BucketLocationConstraint } from "@aws-sdk/client-s3";
import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { describe, expect, inject, it } from "vitest";
import { s3For, uniqueBucket } from "../../emulator/clients.js";
import type { EmulatorSide } from "../../emulator/emulator.js";
import { keyGuardStats } from "../../emulator/key-guard.js";

const emulator = inject("emulator");
const sides: EmulatorSide[] = [emulator.global, emulator.china];

const awkwardKeys = [
  "plain.txt",
  "with space/and more spaces.bin",
  "plus+sign+key",
  "percent%20literal%2F",
  "unicode/日本語/файл-ü.txt",
  "double//slash//key",
  "directory-marker/",
];

describe.each(sides)("the $name emulator", (side) => {
  const s3 = s3For(side);

  it("creates a bucket in its own region", async () => {
    const bucket = uniqueBucket(`smoke-${side.name}`);
    await s3.send(
      new CreateBucketCommand({
        Bucket: bucket,
        ...(side.region === "us-east-1"
          ? {}
          : { CreateBucketConfiguration: { LocationConstraint: side.region as BucketLocationConstraint } }),
      }),
    );
    const { Buckets } = await s3.send(new ListBucketsCommand({}));
    expect(Buckets?.map((b) => b.Name)).toContain(bucket);
  });

  it("stores and returns objects whose keys need URL-encoding, byte for byte", async () => {
    const bucket = uniqueBucket(`keys-${side.name}`);
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    for (const key of awkwardKeys) {
      const body = key.endsWith("/") ? "" : `content of ${key}`;
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      expect(await got.Body?.transformToString()).toBe(body);
    }
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect(listed.Contents?.map((o) => o.Key).sort()).toEqual([...awkwardKeys].sort());
  });

  it("keeps parts of an unfinished multipart upload visible to ListParts and ListMultipartUploads", async () => {
    const bucket = uniqueBucket(`mpu-${side.name}`);
    const key = "big/object.bin";
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    const part = Buffer.alloc(5 * 1024 * 1024, 7);
    for (const PartNumber of [1, 2]) {
      await s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber, Body: part }));
    }
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: key }));
    expect(uploads.Uploads?.map((u) => [u.Key, u.UploadId])).toEqual([[key, UploadId]]);
    const parts = await s3.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId }));
    expect(parts.Parts?.map((p) => [p.PartNumber, p.Size])).toEqual([
      [1, part.length],
      [2, part.length],
    ]);
  });
});

describe("credential separation between the two endpoints", () => {
  it("rejects a client that sends the other side's access key", async () => {
    const mixedUp = s3For({ ...emulator.china, endpoint: emulator.global.endpoint });
    await expect(mixedUp.send(new ListBucketsCommand({}))).rejects.toMatchObject({
      name: "InvalidAccessKeyId",
    });
    const stats = await keyGuardStats(emulator.global.endpoint);
    expect(stats.rejected[emulator.china.accessKeyId]).toBeGreaterThan(0);
  });

  it("has seen only each side's own key among accepted requests", async () => {
    for (const side of sides) {
      await s3For(side).send(new ListBucketsCommand({}));
      const stats = await keyGuardStats(side.endpoint);
      expect(Object.keys(stats.accepted)).toEqual([side.accessKeyId]);
    }
  });
});
