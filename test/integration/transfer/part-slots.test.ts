import type { S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { copyObject, TransferPool } from "../../../worker/src/transfer/index.js";
import { type FaultProxy, type SeenRequest, startFaultProxy } from "../../support/fault-proxy.js";
import { clientFor, freshBucket, getBytes, jobFor, MiB, putObject, randomData, sha256 } from "./helpers.js";

const { global, china } = inject("emulator");

const isUploadPart = (r: SeenRequest) => r.method === "PUT" && r.url.includes("partNumber=");

/**
 * partsInParallel is what one object is sure to get; when the shared pool would otherwise
 * leave connections idle, the object runs more parts than that.
 */
describe("parts beyond partsInParallel on an idle pool", () => {
  let source: S3Client;
  let direct: S3Client;
  let srcBucket: string;
  let destBucket: string;
  let proxy: FaultProxy;
  let destination: S3Client;
  let inFlight = 0;
  let peak = 0;
  const data = randomData(6 * 5 * MiB + 1234);

  beforeAll(async () => {
    source = await clientFor(global);
    direct = await clientFor(china);
    srcBucket = await freshBucket(source, global, "slots");
    destBucket = await freshBucket(direct, china, "slots");
    await putObject(source, { Bucket: srcBucket, Key: "wide.bin", Body: data });
    // holds every UploadPart a moment, so the parts in flight at once can be counted
    proxy = await startFaultProxy({
      target: china.endpoint,
      beforeForward: async (r) => {
        if (!isUploadPart(r)) return;
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 150));
        inFlight--;
      },
    });
    destination = await clientFor(china, proxy.endpoint);
  });
  afterAll(async () => {
    await proxy.close();
  });

  const copyWith = async (poolConcurrency: number, key: string) => {
    peak = 0;
    const result = await copyObject(jobFor(srcBucket, "wide.bin", destBucket, key), {
      source,
      destination,
      settings: { partsInParallel: 2, multipartThreshold: 5 * MiB, partSize: 5 * MiB },
      pool: new TransferPool({ concurrency: poolConcurrency }),
    });
    expect(result).toMatchObject({ status: "copied", partsTotal: 7 });
    expect(sha256(await getBytes(direct, destBucket, key))).toBe(sha256(data));
    return peak;
  };

  it("spreads one object over the idle connections of a wide pool", async () => {
    expect(await copyWith(8, "wide-pool.bin")).toBeGreaterThan(2);
  });

  it("lets every part of a wide object listen to its abort signal without a leak warning", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on("warning", onWarning);
    try {
      await copyWith(16, "listeners.bin");
      // warnings are emitted on the next tick
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off("warning", onWarning);
    }
    expect(warnings.filter((w) => w.startsWith("MaxListenersExceededWarning"))).toEqual([]);
  });

  it("keeps to partsInParallel when the pool has no more", async () => {
    expect(await copyWith(2, "narrow-pool.bin")).toBe(2);
  });
});
