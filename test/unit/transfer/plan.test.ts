import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { maxParts, multipartEtag, partRange, planParts } from "../../../worker/src/transfer/plan.js";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

describe("planParts", () => {
  it("uses the minimum part size while the object fits in 10,000 parts", () => {
    expect(planParts({ size: 12 * MiB, minPartSize: 5 * MiB })).toEqual({
      partSize: 5 * MiB,
      partsCount: 3,
      mirrored: false,
    });
  });

  it("grows the part size in whole MiB for objects that would need more than 10,000 parts", () => {
    const plan = planParts({ size: 100 * GiB, minPartSize: 5 * MiB });
    expect(plan.partSize % MiB).toBe(0);
    expect(plan.partsCount).toBeLessThanOrEqual(maxParts);
    expect(plan.partSize).toBe(11 * MiB);
  });

  it("mirrors a source uploaded in uniform parts, the last one smaller", () => {
    const size = 3 * 8 * MiB + 17;
    expect(
      planParts({ size, minPartSize: 5 * MiB, sourcePartsCount: 4, sourceFirstPartSize: 8 * MiB }),
    ).toEqual({
      partSize: 8 * MiB,
      partsCount: 4,
      mirrored: true,
    });
  });

  it("does not mirror parts that cannot have been uniform", () => {
    const plan = planParts({
      size: 30 * MiB,
      minPartSize: 5 * MiB,
      sourcePartsCount: 3,
      sourceFirstPartSize: 5 * MiB,
    });
    expect(plan.mirrored).toBe(false);
    expect(plan.partSize).toBe(5 * MiB);
  });

  it("lets a fixed part size win over mirroring", () => {
    const plan = planParts({
      size: 32 * MiB,
      fixedPartSize: 16 * MiB,
      minPartSize: 5 * MiB,
      sourcePartsCount: 4,
      sourceFirstPartSize: 8 * MiB,
    });
    expect(plan).toEqual({ partSize: 16 * MiB, partsCount: 2, mirrored: false });
  });

  it("always covers the object exactly, within S3's limits", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 * 1024 * GiB }), (size) => {
        const plan = planParts({ size, minPartSize: 5 * MiB });
        expect(plan.partsCount).toBeLessThanOrEqual(maxParts);
        expect(plan.partSize).toBeGreaterThanOrEqual(5 * MiB);
        const last = partRange(plan, size, plan.partsCount);
        expect(last.start + last.length).toBe(size);
        expect(last.length).toBeGreaterThan(0);
        expect(last.length).toBeLessThanOrEqual(plan.partSize);
      }),
    );
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
