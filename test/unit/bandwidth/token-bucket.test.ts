import { describe, expect, it } from "vitest";
import { TokenBucket } from "../../../worker/src/bandwidth/index.js";
import { AbortError } from "../../../worker/src/errors.js";
import { simulatedClock } from "./simulated-clock.js";

const MB = 1e6;

describe("TokenBucket", () => {
  it("paces bytes to the rate from an empty start: 100 MB at 10 MB/s", async () => {
    const clock = simulatedClock();
    const bucket = new TokenBucket({ rate: () => 10 * MB, clock });
    for (let i = 0; i < 20; i++) await bucket.take(5 * MB);
    // the last grant comes once the 95 MB granted before it are paid for
    expect(clock.now()).toBe(9500);
    expect(bucket.waits).toBeGreaterThanOrEqual(9);
  });

  it("grants a request larger than the bucket at once and makes the next pay its debt", async () => {
    const clock = simulatedClock();
    const bucket = new TokenBucket({ rate: () => 1 * MB, clock, maxWaitMs: 60_000 });
    await bucket.take(64 * MB);
    expect(clock.now()).toBe(0);
    await bucket.take(1);
    expect(clock.now()).toBe(64_000);
  });

  it("serves requests in order", async () => {
    const clock = simulatedClock();
    const bucket = new TokenBucket({ rate: () => 1 * MB, clock });
    const order: number[] = [];
    await Promise.all([1, 2, 3, 4].map((n) => bucket.take(2 * MB).then(() => order.push(n))));
    expect(order).toEqual([1, 2, 3, 4]);
  });

  it("follows a rate that changes while a request waits", async () => {
    const clock = simulatedClock();
    let rate: number | undefined = 1 * MB;
    const bucket = new TokenBucket({ rate: () => rate, clock });
    await bucket.take(11 * MB); // 10 MB of debt: 10 s at 1 MB/s
    const waited = bucket.take(1);
    rate = undefined; // the schedule's window ended: unlimited
    await waited;
    // one wait of at most a second, then the new rate applied
    expect(clock.now()).toBeLessThanOrEqual(1000);
  });

  it("is unlimited while the rate is undefined", async () => {
    const clock = simulatedClock();
    const bucket = new TokenBucket({ rate: () => undefined, clock });
    for (let i = 0; i < 100; i++) await bucket.take(100 * MB);
    expect(clock.now()).toBe(0);
    expect(bucket.waits).toBe(0);
  });

  it("an abort takes a waiting request out of line at once, and the others go on", async () => {
    const clock = simulatedClock();
    const bucket = new TokenBucket({ rate: () => 1 * MB, clock });
    await bucket.take(3 * MB);
    const stop = new AbortController();
    const aborted = bucket.take(1 * MB, stop.signal);
    const next = bucket.take(1 * MB);
    stop.abort(new Error("stopping"));
    await expect(aborted).rejects.toBeInstanceOf(AbortError);
    await next;
    expect(bucket.waiting).toBe(0);
    await expect(bucket.take(1, stop.signal)).rejects.toBeInstanceOf(AbortError);
  });
});
