import { getEventListeners } from "node:events";
import type { S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { copyObject, TransferPool } from "../../../worker/src/transfer/index.js";
import {
  type FaultProxy,
  type Gate,
  gate,
  type SeenRequest,
  startFaultProxy,
} from "../../support/fault-proxy.js";
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
  /** Where UploadParts wait: every part in flight is held until all the copy's slots are. */
  let stage: Gate = gate();
  const data = randomData(6 * 5 * MiB + 1234);

  beforeAll(async () => {
    source = await clientFor(global);
    direct = await clientFor(china);
    srcBucket = await freshBucket(source, global, "slots");
    destBucket = await freshBucket(direct, china, "slots");
    await putObject(source, { Bucket: srcBucket, Key: "wide.bin", Body: data });
    proxy = await startFaultProxy({
      target: china.endpoint,
      beforeForward: async (r) => {
        if (isUploadPart(r)) await stage.pass();
      },
    });
    destination = await clientFor(china, proxy.endpoint);
  });
  afterAll(async () => {
    stage.open();
    await proxy.close();
  });

  /**
   * Copies with a pool of `poolConcurrency`. Whenever every slot the copy holds is an
   * UploadPart held at the proxy, the copy can start nothing more until one finishes: that
   * is when the parts in flight at once are counted (and `atPeak` called), and then they are let go.
   */
  const copyWith = async (poolConcurrency: number, key: string, atPeak: () => void = () => {}) => {
    const pool = new TransferPool({ concurrency: poolConcurrency });
    let peak = 0;
    let ended = false;
    const copying = copyObject(jobFor(srcBucket, "wide.bin", destBucket, key), {
      source,
      destination,
      settings: { partsInParallel: 2, multipartThreshold: 5 * MiB, partSize: 5 * MiB },
      pool,
    }).finally(() => {
      ended = true;
    });
    while (!ended) {
      if (stage.waiting > 0 && stage.waiting === pool.active) {
        peak = Math.max(peak, stage.waiting);
        atPeak();
        const held = stage;
        stage = gate();
        held.open();
      }
      // a bounded poll on the proxy and the pool: the parts travel over real sockets
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const result = await copying;
    expect(result).toMatchObject({ status: "copied", partsTotal: 7 });
    expect(sha256(await getBytes(direct, destBucket, key))).toBe(sha256(data));
    return peak;
  };

  it("spreads one object over the idle connections of a wide pool, and keeps to partsInParallel when the pool has no more", async () => {
    expect(await copyWith(8, "wide-pool.bin")).toBeGreaterThan(2);
    // counted the same way, the parts at once stop at partsInParallel on a pool that size
    expect(await copyWith(2, "narrow-pool.bin")).toBe(2);
  });

  it("lets every part of a wide object listen to an abort signal of its own, so none piles up listeners", async () => {
    // Every signal the copy derives (per object, per part) is watched while all parts are held.
    const derive = AbortSignal.any.bind(AbortSignal);
    const derived: AbortSignal[] = [];
    const spy = vi.spyOn(AbortSignal, "any").mockImplementation((signals) => {
      const s = derive(signals);
      derived.push(s);
      return s;
    });
    let most = 0;
    let peak: number;
    try {
      peak = await copyWith(16, "listeners.bin", () => {
        for (const s of derived) most = Math.max(most, getEventListeners(s, "abort").length);
      });
    } finally {
      spy.mockRestore();
    }
    // all seven parts at once, and their requests listen: a shared signal would hold a listener for each
    expect(peak).toBe(7);
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThan(peak);
  });
});
