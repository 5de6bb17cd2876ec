import {
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutObjectTaggingCommand,
  RestoreObjectCommand,
  type Tag,
} from "@aws-sdk/client-s3";
import { describe, expect, inject, it } from "vitest";
import { verdictOf } from "../../../worker/src/runner/index.js";
import { copyObject } from "../../../worker/src/transfer/index.js";
import {
  freshBucket,
  getBytes,
  jobFor,
  KiB,
  MiB,
  putMultipart,
  putObject,
  randomData,
  sha256,
  twoSides,
} from "./helpers.js";

const { global, china } = inject("emulator");

// Keys and values S3 allows (letters, spaces, numbers and + - = . _ : / @) that break a naive `k=v&k2=v2` encoding.
const awkward: Tag[] = [
  { Key: "team", Value: "data platform" },
  { Key: "cost=centre", Value: "a:b@c" },
  { Key: "path", Value: "x/y+z=1" },
  { Key: "名前", Value: "値" },
];

const byKey = (tags: Tag[] | undefined) =>
  [...(tags ?? [])].sort((a, b) => (a.Key ?? "").localeCompare(b.Key ?? ""));

describe("what travels to the destination besides the bytes", () => {
  const sides = twoSides("fields", global, china);
  const tagsOf = async (bucket: string, key: string) =>
    byKey(
      (await sides.direct.destination.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key }))).TagSet,
    );

  it("copies the source's tags on the listed small path, the HEAD path and the multipart path", async () => {
    const { source, destination } = sides.direct;
    const small = randomData(16 * KiB);
    await putObject(source, { Bucket: sides.srcBucket, Key: "t/small", Body: small, Tagging: "" });
    await source.send(
      new PutObjectTaggingCommand({ Bucket: sides.srcBucket, Key: "t/small", Tagging: { TagSet: awkward } }),
    );
    const big = randomData(11 * MiB);
    await putMultipart(source, sides.srcBucket, "t/big", big, 5 * MiB);
    await source.send(
      new PutObjectTaggingCommand({ Bucket: sides.srcBucket, Key: "t/big", Tagging: { TagSet: awkward } }),
    );
    const listed = await copyObject(
      jobFor(sides.srcBucket, "t/small", sides.destBucket, "listed", { size: small.length }),
      {
        source,
        destination,
      },
    );
    const headed = await copyObject(jobFor(sides.srcBucket, "t/small", sides.destBucket, "headed"), {
      source,
      destination,
    });
    const multipart = await copyObject(jobFor(sides.srcBucket, "t/big", sides.destBucket, "multipart"), {
      source,
      destination,
    });
    for (const r of [listed, headed, multipart]) expect(r.status).toBe("copied");
    for (const key of ["listed", "headed", "multipart"]) {
      expect(await tagsOf(sides.destBucket, key)).toEqual(byKey(awkward));
    }
    expect(sha256(await getBytes(destination, sides.destBucket, "multipart"))).toBe(sha256(big));
  });

  it("an untagged object gets no tags, and `tags: none` copies none", async () => {
    const { source, destination } = sides.direct;
    const body = randomData(4 * KiB);
    await putObject(source, { Bucket: sides.srcBucket, Key: "u/plain", Body: body });
    await putObject(source, { Bucket: sides.srcBucket, Key: "u/tagged", Body: body, Tagging: "a=1" });
    const plain = await copyObject(
      jobFor(sides.srcBucket, "u/plain", sides.destBucket, "u/plain", { size: body.length }),
      {
        source,
        destination,
      },
    );
    const job = jobFor(sides.srcBucket, "u/tagged", sides.destBucket, "u/none", { size: body.length });
    const none = await copyObject(
      { ...job, destination: { ...job.destination, tags: "none" } },
      { source, destination },
    );
    const copied = await copyObject(
      jobFor(sides.srcBucket, "u/tagged", sides.destBucket, "u/tagged", { size: body.length }),
      {
        source,
        destination,
      },
    );
    expect([plain.status, none.status, copied.status]).toEqual(["copied", "copied", "copied"]);
    expect(await tagsOf(sides.destBucket, "u/plain")).toEqual([]);
    expect(await tagsOf(sides.destBucket, "u/none")).toEqual([]);
    // the positive control: the same object with tags: copy (the default) arrives tagged
    expect(await tagsOf(sides.destBucket, "u/tagged")).toEqual([{ Key: "a", Value: "1" }]);
  });

  it("storageClass: preserve keeps each source object's class; a fixed class applies to all", async () => {
    const { source, destination } = sides.direct;
    const body = randomData(8 * KiB);
    await putObject(source, {
      Bucket: sides.srcBucket,
      Key: "c/ia",
      Body: body,
      StorageClass: "STANDARD_IA",
    });
    await putObject(source, { Bucket: sides.srcBucket, Key: "c/std", Body: body });
    const copy = async (key: string, storageClass: "preserve" | "ONEZONE_IA", listed: boolean) => {
      const job = jobFor(
        sides.srcBucket,
        key,
        sides.destBucket,
        `${storageClass}/${key}/${listed}`,
        listed ? { size: body.length } : {},
      );
      const r = await copyObject(
        { ...job, destination: { ...job.destination, storageClass } },
        { source, destination },
      );
      expect(r.status).toBe("copied");
      const head = await destination.send(
        new HeadObjectCommand({ Bucket: sides.destBucket, Key: job.destination.key }),
      );
      return head.StorageClass ?? "STANDARD";
    };
    expect(await copy("c/ia", "preserve", true)).toBe("STANDARD_IA");
    expect(await copy("c/ia", "preserve", false)).toBe("STANDARD_IA");
    expect(await copy("c/std", "preserve", true)).toBe("STANDARD");
    expect(await copy("c/std", "ONEZONE_IA", true)).toBe("ONEZONE_IA");
  });

  it("an archived source not restored is skipped as needing a restore, without retries; once restored it copies", async () => {
    const { source, destination } = sides.direct;
    const body = randomData(2 * KiB);
    const bucket = await freshBucket(source, global, "glacier");
    await putObject(source, { Bucket: bucket, Key: "cold", Body: body, StorageClass: "GLACIER" });
    await putObject(source, { Bucket: bucket, Key: "deep", Body: body, StorageClass: "DEEP_ARCHIVE" });
    const listed = await copyObject(jobFor(bucket, "cold", sides.destBucket, "cold", { size: body.length }), {
      source,
      destination,
    });
    const headed = await copyObject(jobFor(bucket, "deep", sides.destBucket, "deep"), {
      source,
      destination,
    });
    for (const r of [listed, headed]) {
      expect(r).toMatchObject({ status: "needs-restore", retryable: false, errorCode: "NeedsRestore" });
      expect(r.error).toContain("restore");
      expect(r.error).toContain(bucket);
      expect(verdictOf(r, 1, 10, false)).toMatchObject({ kind: "skipped" });
    }
    await source.send(new RestoreObjectCommand({ Bucket: bucket, Key: "cold", RestoreRequest: { Days: 1 } }));
    const restored = await copyObject(jobFor(bucket, "cold", sides.destBucket, "cold"), {
      source,
      destination,
    });
    expect(restored.status).toBe("copied");
    expect((await getBytes(destination, sides.destBucket, "cold")).equals(body)).toBe(true);
  });
});
