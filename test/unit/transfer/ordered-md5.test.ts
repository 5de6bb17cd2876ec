import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { OrderedMd5 } from "../../../worker/src/transfer/ordered-md5.js";

describe("OrderedMd5", () => {
  it("hashes parts handed in out of order as the whole object, releasing each once hashed", () => {
    const parts = ["alpha-", "beta-", "gamma-", "delta"].map((s) => Buffer.from(s));
    const hasher = new OrderedMd5();
    const released: number[] = [];
    for (const n of [3, 1, 4, 2]) hasher.add(n, parts[n - 1] as Buffer, () => released.push(n));
    expect(released).toEqual([1, 2, 3, 4]);
    expect(hasher.digest()).toBe(createHash("md5").update(Buffer.concat(parts)).digest("hex"));
  });

  it("holds a part until every earlier part is in, and lets go of all on dispose", () => {
    const hasher = new OrderedMd5();
    const released: number[] = [];
    hasher.add(2, Buffer.from("b"), () => released.push(2));
    hasher.add(3, Buffer.from("c"), () => released.push(3));
    expect(released).toEqual([]);
    expect(hasher.hashedParts).toBe(0);
    hasher.dispose();
    expect(released.sort()).toEqual([2, 3]);
  });
});
