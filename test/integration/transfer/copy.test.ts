import { HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { unquote } from "../../../worker/src/transfer/etag.js";
import { copyObject, provenanceKeys, type TransferEvent } from "../../../worker/src/transfer/index.js";
import type { EmulatorSide } from "../../emulator/emulator.js";
import {
  clientFor,
  freshBucket,
  getBytes,
  jobFor,
  MiB,
  putMultipart,
  putObject,
  randomData,
  sha256,
} from "./helpers.js";

const emulator = inject("emulator");

const awkwardKeys = [
  "with space/and more spaces.bin",
  "plus+sign+key",
  "percent%20literal%2F",
  "unicode/日本語/файл-ü.txt",
  "double//slash//key",
];

describe.each([
  { from: emulator.global, to: emulator.china },
  { from: emulator.china, to: emulator.global },
])("copying from $from.name to $to.name", ({ from, to }: { from: EmulatorSide; to: EmulatorSide }) => {
  let source: S3Client;
  let destination: S3Client;
  let srcBucket: string;
  let destBucket: string;
  beforeAll(async () => {
    source = await clientFor(from);
    destination = await clientFor(to);
    srcBucket = await freshBucket(source, from, "src");
    destBucket = await freshBucket(destination, to, "dst");
  });
  const copy = (
    key: string,
    extra: Parameters<typeof copyObject>[1] extends infer O ? Partial<O> : never = {},
  ) =>
    copyObject(jobFor(srcBucket, key, destBucket), {
      source,
      destination,
      sourceLabel: from.name,
      destinationLabel: to.name,
      ...extra,
    });

  it("copies a small object byte for byte with its metadata, and a second run only HEADs", async () => {
    const body = randomData(100_000);
    await putObject(source, {
      Bucket: srcBucket,
      Key: "small.bin",
      Body: body,
      ContentType: "application/x-test",
      CacheControl: "max-age=60",
      ContentDisposition: 'attachment; filename="small.bin"',
      ContentEncoding: "identity",
      ContentLanguage: "de-CH",
      Expires: new Date("2030-01-01T00:00:00Z"),
      Metadata: { owner: "team-a", "mixed-case": "Value" },
    });
    const first = await copy("small.bin", {});
    expect(first).toMatchObject({ status: "copied", bytes: body.length, partsTotal: 1, partsReused: 0 });
    expect(sha256(await getBytes(destination, destBucket, "small.bin"))).toBe(sha256(body));
    const head = await destination.send(new HeadObjectCommand({ Bucket: destBucket, Key: "small.bin" }));
    expect(head).toMatchObject({
      ContentType: "application/x-test",
      CacheControl: "max-age=60",
      ContentDisposition: 'attachment; filename="small.bin"',
      ContentEncoding: "identity",
      ContentLanguage: "de-CH",
    });
    expect(head.Expires?.toISOString()).toBe("2030-01-01T00:00:00.000Z");
    expect(head.Metadata).toMatchObject({
      owner: "team-a",
      "mixed-case": "Value",
      [provenanceKeys.etag]: first.sourceEtag,
    });
    const second = await copy("small.bin", {});
    expect(second).toMatchObject({ status: "identical", bytes: 0 });
  });

  it("copies zero-byte objects, directory markers and awkward keys unchanged", async () => {
    const keys = ["empty.bin", "folder/", ...awkwardKeys];
    for (const key of keys) {
      const body = key === "empty.bin" || key.endsWith("/") ? Buffer.alloc(0) : randomData(1000);
      await putObject(source, { Bucket: srcBucket, Key: key, Body: body });
      const result = await copy(key, {});
      expect(result, key).toMatchObject({ status: "copied", bytes: body.length });
      expect(sha256(await getBytes(destination, destBucket, key)), key).toBe(sha256(body));
    }
  });

  it("copies a multipart source with the source's part size, so the ETags are equal", async () => {
    const data = randomData(2 * 5 * MiB + 1234);
    const sourceEtag = await putMultipart(source, srcBucket, "mirrored.bin", data, 5 * MiB);
    const events: TransferEvent[] = [];
    const result = await copy("mirrored.bin", {
      onProgress: (e) => events.push(e),
      settings: { partsInParallel: 3 },
    });
    expect(result).toMatchObject({ status: "copied", partsTotal: 3, partsReused: 0, bytes: data.length });
    expect(result.destinationEtag).toBe(sourceEtag);
    expect(result.sourceEtag).toBe(sourceEtag);
    expect(sha256(await getBytes(destination, destBucket, "mirrored.bin"))).toBe(sha256(data));
    expect(
      events
        .filter((e) => e.type === "part_uploaded")
        .map((e) => e.bytes)
        .reduce((a, b) => a + b, 0),
    ).toBe(data.length);
  });

  it("copies a single-PUT source in parts with the storage class, and later finds it identical by provenance", async () => {
    const data = randomData(2 * 5 * MiB);
    const sourceEtag = unquote(
      (await putObject(source, { Bucket: srcBucket, Key: "resized.bin", Body: data })).ETag,
    );
    const job = {
      ...jobFor(srcBucket, "resized.bin", destBucket),
      destination: { bucket: destBucket, key: "resized.bin", storageClass: "STANDARD_IA" as const },
    };
    const options = { source, destination, settings: { partSize: 6 * MiB, multipartThreshold: MiB } };
    const first = await copyObject(job, options);
    expect(first).toMatchObject({ status: "copied", partsTotal: 2, verification: "source-etag" });
    expect(first.destinationEtag).not.toBe(sourceEtag);
    const head = await destination.send(new HeadObjectCommand({ Bucket: destBucket, Key: "resized.bin" }));
    expect(head.StorageClass).toBe("STANDARD_IA");
    expect(head.Metadata?.[provenanceKeys.etag]).toBe(sourceEtag);
    expect(await copyObject(job, options)).toMatchObject({
      status: "identical",
      bytes: 0,
      identicalBy: "provenance",
    });
  });

  it("mirrors a multipart source's parts even when a part size is set, so the ETags stay equal", async () => {
    const data = randomData(2 * 5 * MiB);
    const sourceEtag = await putMultipart(source, srcBucket, "mirrored.bin", data, 5 * MiB);
    const result = await copyObject(jobFor(srcBucket, "mirrored.bin", destBucket), {
      source,
      destination,
      settings: { partSize: 6 * MiB, multipartThreshold: MiB },
    });
    expect(result).toMatchObject({ status: "copied", partsTotal: 2, destinationEtag: sourceEtag });
  });

  it("records no provenance when switched off", async () => {
    await putObject(source, { Bucket: srcBucket, Key: "plain.txt", Body: "plain", Metadata: { keep: "me" } });
    expect((await copy("plain.txt", { provenance: false })).status).toBe("copied");
    const head = await destination.send(new HeadObjectCommand({ Bucket: destBucket, Key: "plain.txt" }));
    expect(head.Metadata).toEqual({ keep: "me" });
  });

  it("reports a missing source as source-missing", async () => {
    const result = await copy("does/not/exist", {});
    expect(result).toMatchObject({ status: "source-missing", retryable: false, bytes: 0 });
    expect(result.error).toContain(from.name);
  });
});
