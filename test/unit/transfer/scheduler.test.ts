import type { S3Client } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import type { Job } from "../../../worker/src/job/index.js";
import { type CopyResult, CopyScheduler } from "../../../worker/src/transfer/index.js";

const MiB = 1024 * 1024;
const client = {} as S3Client;

function job(key: string, size: number | undefined): Job {
  return {
    migration: "m",
    source: { bucket: "src", key, ...(size === undefined ? {} : { size }) },
    destination: { bucket: "dst", key },
  };
}

/** A stand-in copy that records how many small and large copies ran at once. */
function recorder() {
  const running = { small: 0, large: 0 };
  const peak = { small: 0, large: 0 };
  const pools = new Set<unknown>();
  const copy = async (j: Job, options: { pool?: unknown }): Promise<CopyResult> => {
    pools.add(options.pool);
    const lane = (j.source.size ?? Infinity) <= 5 * MiB ? "small" : "large";
    running[lane]++;
    peak[lane] = Math.max(peak[lane], running[lane]);
    await new Promise((r) => setTimeout(r, 5));
    running[lane]--;
    return {
      status: "copied",
      bytes: j.source.size ?? 0,
      partsTotal: 1,
      partsReused: 0,
      retries: 0,
      durationMs: 5,
    };
  };
  return { copy, peak, pools };
}

describe("CopyScheduler", () => {
  it("holds multipart copies to filesInParallel but lets small ones fill the pool", async () => {
    const r = recorder();
    const scheduler = new CopyScheduler({
      source: client,
      destination: client,
      settings: { partsInParallel: 4 },
      filesInParallel: 2,
      copy: r.copy,
    });
    const jobs = [
      ...Array.from({ length: 6 }, (_, i) => job(`large-${i}`, 64 * MiB)),
      ...Array.from({ length: 30 }, (_, i) => job(`small-${i}`, 64 * 1024)),
      job("unknown-size", undefined),
    ];
    const results = await Promise.all(jobs.map((j) => scheduler.copy(j)));

    expect(results.every((x) => x.status === "copied")).toBe(true);
    expect(r.peak.large).toBe(2);
    expect(r.peak.small).toBe(8); // the pool: 2 files × 4 parts
    expect(r.pools.size).toBe(1); // every copy shares the scheduler's pool
  });

  it("rejects a non-positive filesInParallel, naming it", () => {
    expect(() => new CopyScheduler({ source: client, destination: client, filesInParallel: 0 })).toThrow(
      /filesInParallel/,
    );
  });
});
