import { describe, expect, it } from "vitest";
import { ByteBudget } from "../../../worker/src/transfer/index.js";

describe("ByteBudget part buffers", () => {
  it("hands a finished part's buffer to the next part of the same size", async () => {
    const budget = new ByteBudget(100);
    const release = await budget.acquire(40);
    const first = budget.buffer(40);
    release();
    budget.recycle(first);

    const again = await budget.acquire(40);
    expect(budget.buffer(40)).toBe(first);
    expect(budget.buffer(40)).not.toBe(first); // only one was kept
    again();
  });

  it("keeps no more than the capacity in reserved plus kept bytes", async () => {
    const budget = new ByteBudget(100);
    const held = await budget.acquire(70);
    budget.recycle(Buffer.alloc(40)); // 70 reserved + 40 kept would exceed 100: dropped
    const spare = Buffer.alloc(30);
    budget.recycle(spare); // 70 + 30 fits: kept
    held();

    const next = await budget.acquire(30);
    expect(budget.buffer(30)).toBe(spare);
    next();
  });
});
