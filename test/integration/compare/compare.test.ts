import { PutBucketVersioningCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { beforeAll, describe, expect, inject, it } from "vitest";
import {
  type CopyRecords,
  compareKeys,
  compareMigration,
  type DiffItem,
  jobsFromDiff,
} from "../../../worker/src/compare/index.js";
import { type Migration, normalizeMigration } from "../../../worker/src/config/index.js";
import { s3For, uniqueBucket } from "../../emulator/clients.js";
import { createBucket } from "../../support/s3-objects.js";

const { global, china } = inject("emulator");
const source = s3For(global);
const destination = s3For(china);

async function bucket(client: S3Client, name: string, region: string, versioned = false) {
  await createBucket(client, name, region);
  if (versioned) {
    await client.send(
      new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: "Enabled" } }),
    );
  }
}

const put = (client: S3Client, Bucket: string, Key: string, Body: string) =>
  client.send(new PutObjectCommand({ Bucket, Key, Body }));

async function collect(items: AsyncIterable<DiffItem>) {
  const out: DiffItem[] = [];
  for await (const i of items) out.push(i);
  return out.sort((a, b) => compareKeys(a.destinationKey, b.destinationKey));
}

describe("compare against two emulated partitions", () => {
  const src = uniqueBucket("cmp-src");
  const dst = uniqueBucket("cmp-dst");
  const m = (over: Partial<Migration> = {}): Migration => ({
    ...normalizeMigration({
      name: "cmp",
      source: { bucket: src, prefix: "data/", region: global.region },
      destination: { bucket: dst, prefix: "copy/", region: china.region, storageClass: "GLACIER_IR" },
      ignore: ["*.log"],
      // size mode unless a case says otherwise (the default is etag)
      compare: "size",
    }),
    ...over,
  });

  beforeAll(async () => {
    await bucket(source, src, global.region, true);
    await bucket(destination, dst, china.region);
    await put(source, src, "data/new.bin", "new");
    await put(source, src, "data/grown.bin", "longer now");
    await put(source, src, "data/same.bin", "same");
    await put(source, src, "data/rewritten.bin", "AAAA");
    await put(source, src, "data/deep/a/b.bin", "deep");
    await put(source, src, "data/skip.log", "log");
    await put(source, src, "outside.bin", "not under the prefix");
    await put(destination, dst, "copy/grown.bin", "short");
    await put(destination, dst, "copy/same.bin", "same");
    await put(destination, dst, "copy/rewritten.bin", "BBBB");
    await put(destination, dst, "copy/deep/a/b.bin", "deep");
    await put(destination, dst, "copy/orphan/x.bin", "only here");
  });

  const summary = (items: DiffItem[]) =>
    items.map((i) => `${i.kind} ${i.sourceKey ?? "-"} -> ${i.destinationKey}`);

  it("size mode: every class, keys mapped between prefixes, extras reported", async () => {
    const items = await collect(compareMigration(m(), { source, destination, parallelism: 4, depth: 2 }));
    expect(summary(items)).toEqual([
      "identical data/deep/a/b.bin -> copy/deep/a/b.bin",
      "changed data/grown.bin -> copy/grown.bin",
      "new data/new.bin -> copy/new.bin",
      "extra - -> copy/orphan/x.bin",
      "identical data/rewritten.bin -> copy/rewritten.bin",
      "identical data/same.bin -> copy/same.bin",
      "ignored data/skip.log -> copy/skip.log",
    ]);
  });

  it("etag mode: a same-size rewrite is changed unless the copy records vouch for it", async () => {
    const plain = await collect(compareMigration(m({ compare: "etag" }), { source, destination }));
    expect(plain.find((i) => i.sourceKey === "data/rewritten.bin")?.kind).toBe("changed");
    expect(plain.find((i) => i.sourceKey === "data/same.bin")?.kind).toBe("identical");

    const etag = plain.find((i) => i.sourceKey === "data/rewritten.bin")?.etag;
    const copyRecords: CopyRecords = {
      copiedFrom: async (_m, keys) =>
        new Map(keys.filter((k) => k === "data/rewritten.bin").map((k) => [k, { sourceEtag: etag }])),
    };
    const vouched = await collect(
      compareMigration(m({ compare: "etag" }), { source, destination, copyRecords }),
    );
    expect(vouched.find((i) => i.sourceKey === "data/rewritten.bin")?.kind).toBe("identical");
  });

  it("version mode: lists latest versionIds and compares them with the recorded ones", async () => {
    const first = await collect(compareMigration(m({ compare: "version" }), { source, destination }));
    const same = first.find((i) => i.sourceKey === "data/same.bin");
    expect(same?.versionId).toBeTruthy();
    await put(source, src, "data/same.bin", "SAME");
    const copyRecords: CopyRecords = {
      copiedFrom: async () => new Map([["data/same.bin", { sourceVersionId: same?.versionId as string }]]),
    };
    const second = await collect(
      compareMigration(m({ compare: "version" }), { source, destination, copyRecords }),
    );
    const now = second.find((i) => i.sourceKey === "data/same.bin");
    expect(now?.kind).toBe("changed");
    expect(now?.versionId).not.toBe(same?.versionId);
    await put(source, src, "data/same.bin", "same");
  });

  it("produces jobs for new and changed objects only", async () => {
    const jobs = [];
    for await (const j of jobsFromDiff(m(), compareMigration(m(), { source, destination }))) jobs.push(j);
    expect(jobs.map((j) => j.source.key).sort()).toEqual(["data/grown.bin", "data/new.bin"]);
    expect(jobs.find((j) => j.source.key === "data/new.bin")).toMatchObject({
      migration: "cmp",
      source: { bucket: src, size: 3 },
      destination: { bucket: dst, key: "copy/new.bin", storageClass: "GLACIER_IR" },
    });
  });
});
