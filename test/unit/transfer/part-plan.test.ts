import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { multipartEtag } from "../../../worker/src/transfer/etag.js";
import {
  impossibleLayoutReason,
  layoutOf,
  maxParts,
  ownPlan,
  PartPlan,
  uniformLayout,
  unmirrorableReason,
} from "../../../worker/src/transfer/part-plan.js";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

describe("the engine's own plan", () => {
  it("uses the minimum part size while the object fits in 10,000 parts", () => {
    const plan = ownPlan({ size: 12 * MiB, minPartSize: 5 * MiB });
    expect(plan).toMatchObject({ partSize: 5 * MiB, partsCount: 3, mirrored: false });
    expect(plan.layout).toEqual([
      [5 * MiB, 2],
      [2 * MiB, 1],
    ]);
  });

  it("grows the part size in whole MiB for objects that would need more than 10,000 parts", () => {
    const plan = ownPlan({ size: 100 * GiB, minPartSize: 5 * MiB });
    expect(plan.partSize % MiB).toBe(0);
    expect(plan.partsCount).toBeLessThanOrEqual(maxParts);
    expect(plan.partSize).toBe(11 * MiB);
  });

  it("always covers the object exactly, within S3's limits", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 * 1024 * GiB }), (size) => {
        const plan = ownPlan({ size, minPartSize: 5 * MiB });
        expect(plan.partsCount).toBeLessThanOrEqual(maxParts);
        expect(plan.partSize).toBeGreaterThanOrEqual(Math.min(size, 5 * MiB));
        expect(plan.size).toBe(size);
        const last = plan.range(plan.partsCount);
        expect(last.start + last.length).toBe(size);
        expect(last.length).toBeGreaterThan(0);
      }),
    );
  });
});

describe("a plan of any layout", () => {
  it("finds every part's range in uneven layouts, as walking the parts does", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 300 }), (sizes) => {
        const plan = new PartPlan(layoutOf(sizes), true);
        expect(plan.partsCount).toBe(sizes.length);
        let start = 0;
        for (const [i, size] of sizes.entries()) {
          expect(plan.range(i + 1)).toEqual({ start, length: size });
          start += size;
        }
        expect([...plan.parts()].map((p) => p.length)).toEqual(sizes);
        expect(plan.size).toBe(start);
        expect(plan.partSize).toBe(Math.max(...sizes));
      }),
    );
  });

  it("run-length encodes uniform layouts into at most two runs", () => {
    expect(uniformLayout(3 * 8 * MiB + 17, 8 * MiB)).toEqual([
      [8 * MiB, 3],
      [17, 1],
    ]);
    expect(uniformLayout(16 * MiB, 8 * MiB)).toEqual([[8 * MiB, 2]]);
    expect(layoutOf([7, 5, 5])).toEqual([
      [7, 1],
      [5, 2],
    ]);
  });

  it("says why a source's own layout cannot be mirrored", () => {
    expect(unmirrorableReason(layoutOf([7 * MiB, 5 * MiB, 5 * MiB]), 17 * MiB, 5 * MiB)).toBeUndefined();
    expect(unmirrorableReason(layoutOf([7 * MiB, 1 * MiB, 5 * MiB]), 13 * MiB, 5 * MiB)).toMatch(/part 2 is/);
    expect(unmirrorableReason(layoutOf([7 * MiB, 5 * MiB]), 13 * MiB, 5 * MiB)).toMatch(/add up/);
    // a small last part is fine
    expect(unmirrorableReason(layoutOf([5 * MiB, 1]), 5 * MiB + 1, 5 * MiB)).toBeUndefined();
  });

  it("names the S3 limit a layout breaks", () => {
    expect(impossibleLayoutReason([[5 * MiB, maxParts + 1]])).toMatch(/10001 parts/);
    expect(impossibleLayoutReason([[6 * GiB, 1]])).toMatch(/part of/);
    expect(impossibleLayoutReason([[5 * MiB, maxParts]])).toBeUndefined();
  });
});

describe("multipartEtag", () => {
  it("is the MD5 of the binary part MD5s with the part count", () => {
    const parts = [Buffer.from("first part"), Buffer.from("second")];
    const md5s = parts.map((p) => createHash("md5").update(p).digest());
    const expected = `${createHash("md5").update(Buffer.concat(md5s)).digest("hex")}-2`;
    expect(multipartEtag(md5s.map((m) => m.toString("hex")))).toBe(expected);
  });
});
