import { describe, expect, inject, it } from "vitest";
import { type PaceClock, TokenBucket } from "../../../worker/src/bandwidth/index.js";
import { ByteBudget, copyObject } from "../../../worker/src/transfer/index.js";
import { getBytes, jobFor, MiB, putObject, randomData, sha256, twoSides } from "./helpers.js";

const { global, china } = inject("emulator");

/** A clock whose time moves only when the bucket waits: the copy's waits are counted, not spent. */
function simulatedClock(): PaceClock {
  let now = 0;
  return {
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
  };
}

describe("a copy under a bandwidth limit", () => {
  const sides = twoSides("paced", global, china);

  it("paces every part before its memory is reserved, and the object arrives whole", async () => {
    const data = randomData(6 * 5 * MiB + 1234);
    await putObject(sides.direct.source, { Bucket: sides.srcBucket, Key: "big.bin", Body: data });
    const clock = simulatedClock();
    const rate = 4 * MiB;
    const bucket = new TokenBucket({ rate: () => rate, clock });
    const budget = ByteBudget.forProcess(512 * MiB);
    const paced: { bytes: number; inUse: number }[] = [];
    const result = await copyObject(jobFor(sides.srcBucket, "big.bin", sides.destBucket), {
      ...sides.direct,
      budget,
      settings: { partSize: 5 * MiB, partsInParallel: 2 },
      pace: async (bytes, signal) => {
        paced.push({ bytes, inUse: budget.inUse });
        await bucket.take(bytes, signal);
      },
    });
    expect(result.status).toBe("copied");
    expect(sha256(await getBytes(sides.direct.destination, sides.destBucket, "big.bin"))).toBe(sha256(data));
    // every byte paced once, part by part
    expect(paced.map((p) => p.bytes).reduce((a, b) => a + b, 0)).toBe(data.length);
    expect(paced).toHaveLength(7);
    // a part is paced before it reserves its memory: the first finds the budget empty
    expect(paced[0]?.inUse).toBe(0);
    // loosely: what was granted beyond the first second's burst was waited for at the rate
    // (the last part is granted once the debt of those before it is paid)
    const beforeLast = data.length - (paced.at(-1)?.bytes ?? 0);
    expect(clock.now()).toBeGreaterThanOrEqual(((beforeLast - rate) / rate) * 1000 - 1);
    expect(bucket.waits).toBeGreaterThanOrEqual(Math.floor((beforeLast - rate) / rate));
  });

  it("paces a small object's PUT by its size", async () => {
    const data = randomData(300 * 1024);
    await putObject(sides.direct.source, { Bucket: sides.srcBucket, Key: "small.bin", Body: data });
    const budget = ByteBudget.forProcess(512 * MiB);
    const paced: { bytes: number; inUse: number }[] = [];
    const job = jobFor(sides.srcBucket, "small.bin", sides.destBucket, "small.bin", { size: data.length });
    const result = await copyObject(job, {
      ...sides.direct,
      budget,
      pace: async (bytes) => {
        paced.push({ bytes, inUse: budget.inUse });
      },
    });
    expect(result.status).toBe("copied");
    expect(paced).toEqual([{ bytes: data.length, inUse: 0 }]);
  });
});
