import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { compositeOf, digestOf } from "../../../worker/src/transfer/checksum.js";
import { md5Hex, multipartEtag } from "../../../worker/src/transfer/etag.js";
import { layoutOf, ownPlan, PartPlan } from "../../../worker/src/transfer/part-plan.js";
import { proofFor, proveWhole, type ReadProof } from "../../../worker/src/transfer/read-proof.js";

const bytes = (n: number, seed: number) =>
  Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) % 251));

/** Feeds every part of `data` cut by `plan` (out of order) and asks the proof. */
async function feed(proof: ReadProof, plan: PartPlan, data: Buffer) {
  const parts = [...plan.parts()].reverse();
  const released: number[] = [];
  for (const p of parts) proof.add(p.n, data.subarray(p.start, p.start + p.length), () => released.push(p.n));
  const md5s = [...plan.parts()].map((p) => md5Hex(data.subarray(p.start, p.start + p.length)));
  const verdict = await proof.mismatch(md5s);
  return { verdict, released: released.sort((a, b) => a - b) };
}

describe("proving the bytes read against the source", () => {
  const data = bytes(1000, 7);
  const sourceLayout = layoutOf([300, 450, 250]);
  const sourceEtag = multipartEtag([
    md5Hex(data.subarray(0, 300)),
    md5Hex(data.subarray(300, 750)),
    md5Hex(data.subarray(750)),
  ]);

  it("proves mirrored parts by the source's md5-of-md5s without holding any part", async () => {
    const plan = new PartPlan(sourceLayout, true);
    const proof = proofFor(
      { etag: sourceEtag, etagIsContentMd5: true, checksum: undefined },
      plan,
      sourceLayout,
    );
    expect(proof).toMatchObject({ level: "source-etag", needsEveryPart: false });
    expect((await feed(proof, plan, data)).verdict).toBeUndefined();
  });

  it("proves parts cut otherwise than the source's by an MD5 per source part, in order", async () => {
    const plan = ownPlan({ size: 1000, minPartSize: 128 });
    expect(plan.partsCount).toBe(8);
    const proof = proofFor(
      { etag: sourceEtag, etagIsContentMd5: true, checksum: undefined },
      plan,
      sourceLayout,
    );
    expect(proof).toMatchObject({ level: "source-etag", needsEveryPart: true });
    const good = await feed(proof, plan, data);
    expect(good.verdict).toBeUndefined();
    expect(good.released).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const flipped = Buffer.from(data);
    flipped[400] = (flipped[400] as number) ^ 1;
    const bad = proofFor(
      { etag: sourceEtag, etagIsContentMd5: true, checksum: undefined },
      plan,
      sourceLayout,
    );
    expect((await feed(bad, plan, flipped)).verdict).toMatchObject({ expected: sourceEtag });
  });

  it("proves a single-PUT source by its MD5 over parts fed out of order", async () => {
    const plan = ownPlan({ size: 1000, minPartSize: 300 });
    const etag = createHash("md5").update(data).digest("hex");
    const proof = proofFor({ etag, etagIsContentMd5: true, checksum: undefined }, plan);
    expect((await feed(proof, plan, data)).verdict).toBeUndefined();
  });

  it("proves an SSE-KMS source by its composite SHA-256 when the parts are the source's own", async () => {
    const plan = new PartPlan(sourceLayout, true);
    const partSums = await Promise.all(
      [...plan.parts()].map((p) => digestOf("SHA256", data.subarray(p.start, p.start + p.length))),
    );
    const composite = await compositeOf("SHA256", partSums);
    const [value, count] = composite.split("-") as [string, string];
    const src = {
      etag: "not-an-md5",
      etagIsContentMd5: false,
      checksum: {
        algorithm: "SHA256" as const,
        value,
        type: "composite" as const,
        partsCount: Number(count),
      },
    };
    const proof = proofFor(src, plan);
    expect(proof.level).toBe("source-checksum");
    expect((await feed(proof, plan, data)).verdict).toBeUndefined();
    // cut otherwise, a composite checksum proves nothing
    expect(proofFor(src, ownPlan({ size: 1000, minPartSize: 128 })).level).toBe("parts-only");
  });

  it("proves an SSE-KMS source by its full-object CRC32 over parts in order", async () => {
    const plan = ownPlan({ size: 1000, minPartSize: 256 });
    const value = Buffer.from(await digestOf("CRC32", data)).toString("base64");
    const src = {
      etag: "x",
      etagIsContentMd5: false,
      checksum: { algorithm: "CRC32" as const, value, type: "full-object" as const },
    };
    const proof = proofFor(src, plan);
    expect(proof.level).toBe("source-checksum");
    expect((await feed(proof, plan, data)).verdict).toBeUndefined();
  });

  it("claims nothing for an SSE-KMS source without a checksum", async () => {
    const plan = ownPlan({ size: 1000, minPartSize: 256 });
    const proof = proofFor({ etag: md5Hex(data), etagIsContentMd5: false, checksum: undefined }, plan);
    expect(proof.level).toBe("parts-only");
    expect(
      await proveWhole(
        { etag: md5Hex(data), etagIsContentMd5: false, checksum: undefined },
        data,
        md5Hex(data),
      ),
    ).toEqual({
      level: "parts-only",
    });
  });

  it("proves an object read whole that was uploaded as one part of a multipart upload", async () => {
    const md5 = md5Hex(data);
    const etag = multipartEtag([md5]);
    expect(await proveWhole({ etag, etagIsContentMd5: true, checksum: undefined }, data, md5)).toEqual({
      level: "source-etag",
    });
  });
});
