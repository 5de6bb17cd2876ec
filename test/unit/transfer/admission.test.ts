import { describe, expect, it } from "vitest";
import { Admission } from "../../../worker/src/transfer/index.js";

const MiB = 1024 * 1024;

function admission(partSize?: number) {
  // the defaults' shape: 5 files × 20 parts = 100 connections
  return new Admission({ poolConcurrency: 100, multipartThreshold: 5 * MiB, partSize });
}

/** Starts `sizes` copies at once; each holds its admission until `finish()`; returns the peak running. */
async function peakRunning(a: Admission, sizes: (number | undefined)[], partsInParallel = 20) {
  let running = 0;
  let peak = 0;
  const order: number[] = [];
  let finish: () => void = () => {};
  const gate = new Promise<void>((r) => {
    finish = r;
  });
  const all = Promise.all(
    sizes.map((size, i) =>
      a.run(size, partsInParallel, async () => {
        order.push(i);
        running++;
        peak = Math.max(peak, running);
        await gate;
        running--;
      }),
    ),
  );
  // Admission is promises only: once the event loop turns, every copy it will admit runs
  await new Promise((r) => setImmediate(r));
  const admittedAtOnce = peak;
  finish();
  await all;
  return { admittedAtOnce, order };
}

describe("Admission", () => {
  it("sizes a multipart copy by the parts it can run at once", () => {
    const a = admission();
    expect(a.widthOf(undefined, 20)).toBe(20); // unknown size: full width
    expect(a.widthOf(1024 * MiB, 20)).toBe(20);
    expect(a.widthOf(32 * MiB, 20)).toBe(7); // 5 MiB minimum parts
    expect(admission(16 * MiB).widthOf(32 * MiB, 20)).toBe(2); // a fixed part size
    expect(a.widthOf(6 * MiB, 20)).toBe(2);
  });

  it("admits filesInParallel full-width copies, as the original did", async () => {
    const { admittedAtOnce } = await peakRunning(admission(), Array(12).fill(1024 * MiB));
    expect(admittedAtOnce).toBe(5);
  });

  it("admits copies of few parts in proportion, so the pool is not left idle", async () => {
    // 7 parts each (32 MiB at 5 MiB): 14 of them fill 98 of 100 connections
    const { admittedAtOnce } = await peakRunning(admission(), Array(30).fill(32 * MiB));
    expect(admittedAtOnce).toBe(14);
  });

  it("counts an unknown size as full width", async () => {
    const { admittedAtOnce } = await peakRunning(admission(), Array(8).fill(undefined));
    expect(admittedAtOnce).toBe(5);
  });

  it("lets small objects fill the pool in their own lane", async () => {
    const { admittedAtOnce } = await peakRunning(admission(), [
      ...Array(5).fill(1024 * MiB),
      ...Array(150).fill(64 * 1024),
    ]);
    expect(admittedAtOnce).toBe(5 + 100);
  });

  it("never lets narrow copies overtake a wide one that waits (FIFO)", async () => {
    const sizes = [...Array(4).fill(1024 * MiB), 32 * MiB, 1024 * MiB, 1024 * MiB, 32 * MiB];
    // 4 × 20 + 7 = 87 held; the next full-width copy (index 5) waits, and so does the
    // 32 MiB one behind it although 13 connections are free
    const { admittedAtOnce, order } = await peakRunning(admission(), sizes);
    expect(admittedAtOnce).toBe(5);
    expect(order.slice(0, 5)).toEqual([0, 1, 2, 3, 4]);
    expect(order.indexOf(5)).toBeLessThan(order.indexOf(7));
  });
});
