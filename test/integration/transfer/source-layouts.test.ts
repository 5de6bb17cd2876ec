import type { PutObjectCommandInput } from "@aws-sdk/client-s3";
import { describe, expect, inject, it } from "vitest";
import { copyObject, type TransferEvent } from "../../../worker/src/transfer/index.js";
import { corruptNth, isObjectGet } from "../../support/fault-proxy.js";
import { getBytes, jobFor, MiB, putObject, putParts, randomData, sha256, twoSides } from "./helpers.js";

const { global, china } = inject("emulator");

/** Multipart layouts S3 accepts: parts of at least 5 MiB but the last, of any size otherwise. */
const layouts: Record<string, number[]> = {
  "uniform (5, 5, 2 MiB)": [5, 5, 2],
  "uneven, large first part (7, 5, 5 MiB)": [7, 5, 5],
  "uneven, small first part (5, 10, 10 MiB)": [5, 10, 10],
  "uneven in the middle (6, 9, 6, 3 MiB)": [6, 9, 6, 3],
  // first, last and total fit a uniform cut of 7 MiB: the guess is caught by the ETag, then every part is asked for
  "looks uniform but is not (7, 5, 9, 3 MiB)": [7, 5, 9, 3],
};

describe("every source layout is mirrored and proven against the source", () => {
  const sides = twoSides("layouts", global, china, { maxAttempts: 20 });

  for (const [name, mib] of Object.entries(layouts)) {
    const sizes = mib.map((n) => n * MiB);
    const total = sizes.reduce((a, b) => a + b, 0);

    it(`copies a ${name} source part for part, so the destination ETag is the source's`, async () => {
      const key = `mirror/${mib.join("-")}.bin`;
      const data = randomData(total);
      const etag = await putParts(sides.direct.source, sides.srcBucket, key, data, sizes);
      const result = await copyObject(jobFor(sides.srcBucket, key, sides.destBucket), {
        source: sides.direct.source,
        destination: sides.direct.destination,
        settings: { multipartThreshold: MiB },
      });
      expect(result).toMatchObject({
        status: "copied",
        destinationEtag: etag,
        partsTotal: sizes.length,
        verification: "source-etag",
      });
      expect(sha256(await getBytes(sides.direct.destination, sides.destBucket, key))).toBe(sha256(data));
    });

    it(`never reports a ${name} source copied when one bit of a GET was flipped`, async () => {
      const key = `flipped/${mib.join("-")}.bin`;
      const data = randomData(total);
      const etag = await putParts(sides.direct.source, sides.srcBucket, key, data, sizes);
      const { client, proxy } = await sides.proxied(global, { fault: corruptNth(1, isObjectGet, "flipBit") });
      const events: TransferEvent[] = [];
      const result = await copyObject(jobFor(sides.srcBucket, key, sides.destBucket), {
        source: client,
        destination: sides.direct.destination,
        settings: { multipartThreshold: MiB },
        onProgress: (e) => events.push(e),
      });
      expect(proxy.injected.flipBit).toBe(1);
      expect(result).toMatchObject({ status: "copied", destinationEtag: etag, verification: "source-etag" });
      expect(events.filter((e) => e.type === "copy_restarted")).toHaveLength(1);
      expect(sha256(await getBytes(sides.direct.destination, sides.destBucket, key))).toBe(sha256(data));
    });
  }

  /** Puts `size` random bytes at `key` of the source bucket, with `more` fields (encryption, checksum); returns them. */
  const putSource = async (key: string, size: number, more: Partial<PutObjectCommandInput> = {}) => {
    const data = randomData(size);
    await putObject(sides.direct.source, { Bucket: sides.srcBucket, Key: key, Body: data, ...more });
    return data;
  };

  /** Copies `key` through a proxy that flips one bit of its `nth` GET: the copy must notice, read again and land the source's bytes. */
  const copyThroughOneFlippedBit = async (key: string, data: Buffer, nth: number, verification: string) => {
    const { client, proxy } = await sides.proxied(global, { fault: corruptNth(nth, isObjectGet, "flipBit") });
    const result = await copyObject(jobFor(sides.srcBucket, key, sides.destBucket), {
      source: client,
      destination: sides.direct.destination,
      settings: { multipartThreshold: MiB },
    });
    expect(proxy.injected.flipBit).toBe(1);
    expect(result).toMatchObject({ status: "copied", verification });
    expect(sha256(await getBytes(sides.direct.destination, sides.destBucket, key))).toBe(sha256(data));
  };

  it("never reports a single-PUT source copied in parts when one bit of a GET was flipped", async () => {
    const key = "flipped/single-put.bin";
    const data = await putSource(key, 12 * MiB);
    await copyThroughOneFlippedBit(key, data, 2, "source-etag");
  });

  it("never reports a small object copied when one bit of its GET was flipped", async () => {
    const key = "flipped/small.bin";
    // under the 1 MiB multipart threshold: one GET, one PUT
    const data = await putSource(key, 200 * 1024);
    await copyThroughOneFlippedBit(key, data, 1, "source-etag");
  });

  it("proves an SSE-KMS source by its SHA-256 checksum, and catches a flipped bit with it", async () => {
    const key = "kms/with-checksum.bin";
    const data = await putSource(key, 11 * MiB, {
      ServerSideEncryption: "aws:kms",
      ChecksumAlgorithm: "SHA256",
    });
    await copyThroughOneFlippedBit(key, data, 2, "source-checksum");
  });

  it("records an SSE-KMS source without a checksum as verified by parts only", async () => {
    const key = "kms/no-checksum.bin";
    const data = await putSource(key, 3 * MiB, { ServerSideEncryption: "aws:kms" });
    const result = await copyObject(jobFor(sides.srcBucket, key, sides.destBucket), {
      source: sides.direct.source,
      destination: sides.direct.destination,
      settings: { multipartThreshold: MiB },
    });
    expect(result).toMatchObject({ status: "copied", verification: "parts-only" });
    expect(sha256(await getBytes(sides.direct.destination, sides.destBucket, key))).toBe(sha256(data));
  });
});
