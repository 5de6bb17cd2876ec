import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { newDigest } from "../../../worker/src/transfer/checksum.js";
import { OrderedDigest } from "../../../worker/src/transfer/ordered-digest.js";

const md5Digest = () => {
  const h = createHash("md5");
  return { update: (d: Uint8Array) => void h.update(d), digest: async () => h.digest() };
};

describe("OrderedDigest", () => {
  it("digests parts handed in out of order as the whole object, releasing each once fed", async () => {
    const parts = ["alpha-", "beta-", "gamma-", "delta"].map((s) => Buffer.from(s));
    const hasher = new OrderedDigest(md5Digest());
    const released: number[] = [];
    for (const n of [3, 1, 4, 2]) hasher.add(n, parts[n - 1] as Buffer, () => released.push(n));
    expect(released).toEqual([1, 2, 3, 4]);
    expect(Buffer.from(await hasher.digest()).toString("hex")).toBe(
      createHash("md5").update(Buffer.concat(parts)).digest("hex"),
    );
  });

  it("holds a part until every earlier part is in, and lets go of all on dispose", () => {
    const hasher = new OrderedDigest(md5Digest());
    const released: number[] = [];
    hasher.add(2, Buffer.from("b"), () => released.push(2));
    hasher.add(3, Buffer.from("c"), () => released.push(3));
    expect(released).toEqual([]);
    expect(hasher.digestedParts).toBe(0);
    hasher.dispose();
    expect(released.sort()).toEqual([2, 3]);
  });

  it("computes S3's full-object CRC32 and SHA-256 over parts fed out of order", async () => {
    const whole = Buffer.from("The quick brown fox jumps over the lazy dog");
    for (const algorithm of ["CRC32", "SHA256"] as const) {
      const hasher = new OrderedDigest(newDigest(algorithm));
      hasher.add(2, whole.subarray(10), () => {});
      hasher.add(1, whole.subarray(0, 10), () => {});
      const got = Buffer.from(await hasher.digest()).toString("base64");
      const expected =
        algorithm === "CRC32" ? "QU+jOQ==" : createHash("sha256").update(whole).digest("base64");
      expect(got, algorithm).toBe(expected);
    }
  });
});
