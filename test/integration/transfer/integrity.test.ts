import { createHash } from "node:crypto";
import { ListMultipartUploadsCommand, PutBucketVersioningCommand } from "@aws-sdk/client-s3";
import { describe, expect, inject, it } from "vitest";
import { copyObject, type TransferEvent } from "../../../worker/src/transfer/index.js";
import { corruptNth, isObjectGet, randomFaults } from "../../support/fault-proxy.js";
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

const md5b64 = (d: Uint8Array) => createHash("md5").update(d).digest("base64");

describe("integrity: every byte verified", () => {
  const sides = twoSides("integ", global, china, { maxAttempts: 20 });
  const { proxied } = sides;

  it("detects a byte corrupted in a multipart source's part and ends with a correct copy", async () => {
    const data = randomData(2 * 5 * MiB + 10 * KiB);
    const etag = await putMultipart(
      sides.direct.source,
      sides.srcBucket,
      "corrupt/multipart.bin",
      data,
      5 * MiB,
    );
    const { client } = await proxied(global, { fault: corruptNth(2, isObjectGet) });
    const events: TransferEvent[] = [];
    const result = await copyObject(jobFor(sides.srcBucket, "corrupt/multipart.bin", sides.destBucket), {
      source: client,
      destination: sides.direct.destination,
      onProgress: (e) => events.push(e),
    });
    expect(result).toMatchObject({ status: "copied", destinationEtag: etag });
    expect(events.some((e) => e.type === "copy_restarted")).toBe(true);
    expect(sha256(await getBytes(sides.direct.destination, sides.destBucket, "corrupt/multipart.bin"))).toBe(
      sha256(data),
    );
  });

  it("detects a corrupted byte in a single-PUT source copied in parts (whole-object MD5)", async () => {
    const data = randomData(6 * MiB);
    await putObject(sides.direct.source, { Bucket: sides.srcBucket, Key: "corrupt/plain.bin", Body: data });
    const { client } = await proxied(global, { fault: corruptNth(1, isObjectGet) });
    const events: TransferEvent[] = [];
    const result = await copyObject(jobFor(sides.srcBucket, "corrupt/plain.bin", sides.destBucket), {
      source: client,
      destination: sides.direct.destination,
      settings: { multipartThreshold: MiB },
      onProgress: (e) => events.push(e),
    });
    expect(result).toMatchObject({ status: "copied", partsTotal: 2 });
    expect(events.filter((e) => e.type === "copy_restarted")).toHaveLength(1);
    expect(sha256(await getBytes(sides.direct.destination, sides.destBucket, "corrupt/plain.bin"))).toBe(
      sha256(data),
    );
  });

  it("detects a corrupted byte in a small object's GET and reads it again", async () => {
    const data = randomData(300 * KiB);
    await putObject(sides.direct.source, { Bucket: sides.srcBucket, Key: "corrupt/small.bin", Body: data });
    const { client, proxy } = await proxied(global, { fault: corruptNth(1, isObjectGet) });
    const result = await copyObject(jobFor(sides.srcBucket, "corrupt/small.bin", sides.destBucket), {
      source: client,
      destination: sides.direct.destination,
    });
    expect(result.status).toBe("copied");
    expect(proxy.injected.corrupt).toBe(1);
    expect(proxy.requests.filter(isObjectGet)).toHaveLength(2);
    expect(sha256(await getBytes(sides.direct.destination, sides.destBucket, "corrupt/small.bin"))).toBe(
      sha256(data),
    );
  });

  it("sends the correct Content-MD5 on every PutObject and UploadPart", async () => {
    const big = randomData(5 * MiB + 700 * KiB);
    const small = randomData(70 * KiB);
    await putObject(sides.direct.source, { Bucket: sides.srcBucket, Key: "md5/big.bin", Body: big });
    await putObject(sides.direct.source, { Bucket: sides.srcBucket, Key: "md5/small.bin", Body: small });
    const { client, proxy } = await proxied(china, {});
    for (const key of ["md5/big.bin", "md5/small.bin"]) {
      const result = await copyObject(jobFor(sides.srcBucket, key, sides.destBucket), {
        source: sides.direct.source,
        destination: client,
        settings: { multipartThreshold: MiB },
      });
      expect(result.status).toBe("copied");
    }
    const puts = proxy.requests.filter((r) => r.method === "PUT");
    const parts = puts.filter((r) => r.url.includes("partNumber="));
    expect(parts).toHaveLength(2);
    for (const r of parts) {
      const n = Number(/partNumber=(\d+)/.exec(r.url)?.[1]);
      expect(r.headers["content-md5"], `part ${n}`).toBe(
        md5b64(big.subarray((n - 1) * 5 * MiB, n * 5 * MiB)),
      );
    }
    const single = puts.find((r) => r.url.includes("md5/small.bin"));
    expect(single?.headers["content-md5"]).toBe(md5b64(small));
  });

  it("overwriting the source between parts ends source-changed, aborts the upload and leaves nothing", async () => {
    const key = "changing/object.bin";
    const data = randomData(3 * 5 * MiB);
    await putObject(sides.direct.source, { Bucket: sides.srcBucket, Key: key, Body: data });
    let ranged = 0;
    const { client } = await proxied(global, {
      beforeForward: async (r) => {
        if (r.method === "GET" && r.headers.range !== undefined && ++ranged === 2) {
          await putObject(sides.direct.source, {
            Bucket: sides.srcBucket,
            Key: key,
            Body: randomData(3 * 5 * MiB),
          });
        }
      },
    });
    const result = await copyObject(jobFor(sides.srcBucket, key, sides.destBucket), {
      source: client,
      destination: sides.direct.destination,
      settings: { multipartThreshold: MiB, partsInParallel: 1 },
    });
    expect(result).toMatchObject({ status: "source-changed", retryable: false });
    const uploads = await sides.direct.destination.send(
      new ListMultipartUploadsCommand({ Bucket: sides.destBucket, Prefix: key }),
    );
    expect(uploads.Uploads ?? []).toEqual([]);
    await expect(getBytes(sides.direct.destination, sides.destBucket, key)).rejects.toMatchObject({
      name: "NoSuchKey",
    });
  });

  /** A source client through a proxy that overwrites `key` with other bytes as the first ranged GET passes. */
  const overwrittenAtFirstRangedGet = async (bucket: string, key: string) => {
    let ranged = 0;
    const { client } = await proxied(global, {
      beforeForward: async (r) => {
        if (r.method === "GET" && r.headers.range !== undefined && ++ranged === 1)
          await putObject(sides.direct.source, { Bucket: bucket, Key: key, Body: randomData(2 * 5 * MiB) });
      },
    });
    return client;
  };

  it("copies the pinned version's bytes from a versioned bucket even when the key is overwritten mid-copy", async () => {
    const bucket = await freshBucket(sides.direct.source, global, "versioned");
    await sides.direct.source.send(
      new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }),
    );
    const original = randomData(2 * 5 * MiB);
    const { VersionId: v1 } = await putObject(sides.direct.source, {
      Bucket: bucket,
      Key: "v.bin",
      Body: original,
    });
    expect(v1).toBeDefined();
    const result = await copyObject(jobFor(bucket, "v.bin", sides.destBucket, "v.bin", { versionId: v1 }), {
      source: await overwrittenAtFirstRangedGet(bucket, "v.bin"),
      destination: sides.direct.destination,
      settings: { multipartThreshold: MiB, partsInParallel: 1 },
    });
    expect(result).toMatchObject({ status: "copied", sourceVersionId: v1 });
    expect(sha256(await getBytes(sides.direct.destination, sides.destBucket, "v.bin"))).toBe(
      sha256(original),
    );
  });

  it("pins to the version seen at the start with getObjectWithVersionId when the job carries none", async () => {
    const bucket = await freshBucket(sides.direct.source, global, "pinned");
    await sides.direct.source.send(
      new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }),
    );
    const settings = { multipartThreshold: MiB, partsInParallel: 1 };
    const original = randomData(2 * 5 * MiB);
    const { VersionId: v1 } = await putObject(sides.direct.source, {
      Bucket: bucket,
      Key: "p.bin",
      Body: original,
    });
    const pinned = await copyObject(jobFor(bucket, "p.bin", sides.destBucket, "pinned.bin"), {
      source: await overwrittenAtFirstRangedGet(bucket, "p.bin"),
      destination: sides.direct.destination,
      getObjectWithVersionId: true,
      settings,
    });
    expect(pinned).toMatchObject({ status: "copied", sourceVersionId: v1 });
    expect(sha256(await getBytes(sides.direct.destination, sides.destBucket, "pinned.bin"))).toBe(
      sha256(original),
    );
    // Without the switch the read is pinned by If-Match, and the overwrite is caught instead.
    const byEtag = await copyObject(jobFor(bucket, "p.bin", sides.destBucket, "by-etag.bin"), {
      source: await overwrittenAtFirstRangedGet(bucket, "p.bin"),
      destination: sides.direct.destination,
      settings,
    });
    expect(byEtag.status).toBe("source-changed");
  });

  it("moves every object byte-identical through proxies that fail 5 % of requests on both sides", async () => {
    const src = await proxied(global, { fault: randomFaults(0.05, 7) });
    const dst = await proxied(china, { fault: randomFaults(0.05, 11) });
    const objects = new Map<string, Buffer>();
    for (let i = 0; i < 24; i++) objects.set(`faulty/small-${i}.bin`, randomData(20 * KiB + i));
    objects.set("faulty/large.bin", randomData(2 * 5 * MiB + 3));
    for (const [Key, Body] of objects)
      await putObject(sides.direct.source, { Bucket: sides.srcBucket, Key, Body });
    const results = await Promise.all(
      [...objects.keys()].map((key) =>
        copyObject(jobFor(sides.srcBucket, key, sides.destBucket), {
          source: src.client,
          destination: dst.client,
          settings: { multipartThreshold: MiB },
          retryBaseDelayMs: 10,
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual([...objects.keys()].map(() => "copied"));
    const faults = [src.proxy, dst.proxy].map((p) => p.requests.length - p.injected.none);
    expect(faults[0]).toBeGreaterThan(0);
    expect(faults[1]).toBeGreaterThan(0);
    for (const [key, body] of objects) {
      expect(sha256(await getBytes(sides.direct.destination, sides.destBucket, key)), key).toBe(sha256(body));
    }
  });
});
