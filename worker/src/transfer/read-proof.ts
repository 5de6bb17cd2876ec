import { createHash } from "node:crypto";
import { type ChecksumAlgorithm, compositeOf, digestOf, newDigest, type SourceChecksum } from "./checksum.js";
import { etagPartsCount, isMultipartMd5, isPlainMd5, multipartEtag } from "./etag.js";
import { OrderedDigest } from "./ordered-digest.js";
import { type PartLayout, PartPlan } from "./part-plan.js";

/**
 * What a copy proved about the bytes it read, as the ledger records it:
 * - `source-etag`: the bytes read match the source's ETag (its MD5, or its md5-of-md5s with
 *   the parts cut at the source's own boundaries);
 * - `source-checksum`: they match the source's additional checksum (CRC64NVME, CRC32,
 *   CRC32C, SHA-256 or SHA-1), for sources whose ETag is not an MD5 (SSE-KMS, other stores);
 * - `parts-only`: nothing on the source side could prove them; every part (or the object)
 *   still went to the destination with Content-MD5 and its returned ETag was checked, so
 *   the destination holds exactly what was read;
 * - `content-md5`: the destination's ETag is not an MD5 of the content (SSE-KMS), so its
 *   answers cannot confirm the bytes: what proves it received exactly the bytes read is that
 *   it accepted every part (or the PUT) with their Content-MD5, which S3 refuses when the
 *   body differs. The bytes read were still checked against the source where it allows (a
 *   mismatch fails the copy); the copy's log line names that check as `readProof`.
 */
export type VerificationLevel = "source-etag" | "source-checksum" | "parts-only" | "content-md5";

/** What the source offers to prove bytes against. */
export interface ProvableSource {
  /** ETag without quotes. */
  etag: string;
  /** False for SSE-KMS and SSE-C sources, whose ETag is not an MD5 of the content. */
  etagIsContentMd5: boolean;
  checksum: SourceChecksum | undefined;
}

/** How the bytes read for one multipart copy are proven against the source. */
export interface ReadProof {
  readonly level: VerificationLevel;
  /**
   * True when parts kept from an earlier attempt must be read again (not uploaded): their
   * bytes feed a whole-object digest or a per-part checksum. Each such part is also checked
   * against the ETag of the part the upload keeps.
   */
  readonly needsEveryPart: boolean;
  /** Hands in part `n` as read; `release` runs once its bytes are no longer needed. */
  add(n: number, data: Uint8Array, release: () => void): void;
  /** After every part: the expected and the computed value, or undefined when they agree. */
  mismatch(partMd5s: readonly string[]): Promise<{ expected: string; computed: string } | undefined>;
  dispose(): void;
}

/** True when this source's ETag is an MD5 of its content (not SSE-KMS, not SSE-C). */
export function etagIsContentMd5(serverSideEncryption: string | undefined, sseCustomer: boolean): boolean {
  return !sseCustomer && serverSideEncryption !== "aws:kms" && serverSideEncryption !== "aws:kms:dsse";
}

/**
 * Picks the strongest proof the source allows for bytes cut by `plan`; `sourceLayout` is
 * the source's own part layout when it was uploaded in parts.
 */
export function proofFor(src: ProvableSource, plan: PartPlan, sourceLayout?: PartLayout): ReadProof {
  const { etag, checksum } = src;
  const etagParts = isMultipartMd5(etag) ? etagPartsCount(etag) : undefined;
  if (src.etagIsContentMd5 && plan.mirrored && etagParts === plan.partsCount) {
    return mirroredEtagProof(etag);
  }
  if (
    src.etagIsContentMd5 &&
    sourceLayout !== undefined &&
    etagParts === new PartPlan(sourceLayout, true).partsCount
  ) {
    // cut otherwise than the source (its parts are below the destination's minimum): an MD5
    // per source part over the bytes in order still gives the source's md5-of-md5s
    return wholeObjectProof(
      "source-etag",
      sourcePartsMd5(sourceLayout),
      (etagBytes) => etagBytes.toString(),
      etag,
    );
  }
  if (src.etagIsContentMd5 && isPlainMd5(etag)) {
    const md5 = createHash("md5");
    const digest = { update: (d: Uint8Array) => void md5.update(d), digest: async () => md5.digest() };
    return wholeObjectProof("source-etag", digest, (bytes) => bytes.toString("hex"), etag);
  }
  if (checksum?.type === "full-object") {
    const b64 = (bytes: Buffer) => bytes.toString("base64");
    return wholeObjectProof("source-checksum", newDigest(checksum.algorithm), b64, checksum.value);
  }
  if (checksum?.type === "composite" && plan.mirrored && checksum.partsCount === plan.partsCount) {
    return compositeChecksumProof(checksum.algorithm, `${checksum.value}-${checksum.partsCount}`);
  }
  return partsOnlyProof;
}

/** The part MD5s (computed for Content-MD5 anyway) combine into the source's own ETag. */
function mirroredEtagProof(etag: string): ReadProof {
  return {
    level: "source-etag",
    needsEveryPart: false,
    add: (_n, _data, release) => release(),
    async mismatch(partMd5s) {
      const computed = multipartEtag(partMd5s);
      return computed === etag ? undefined : { expected: etag, computed };
    },
    dispose() {},
  };
}

/**
 * A digest whose result is the md5-of-md5s-N of the bytes fed, cut at the given layout's
 * boundaries (as UTF-8 text), whatever the sizes of the pieces fed.
 */
function sourcePartsMd5(layout: PartLayout) {
  const boundaries = new PartPlan(layout, true);
  const md5s: string[] = [];
  let part = 1;
  let left = boundaries.partsCount > 0 ? boundaries.range(1).length : 0;
  let md5 = createHash("md5");
  const closePart = () => {
    md5s.push(md5.digest("hex"));
    md5 = createHash("md5");
    part++;
    left = part <= boundaries.partsCount ? boundaries.range(part).length : Number.POSITIVE_INFINITY;
  };
  return {
    update(data: Uint8Array) {
      let at = 0;
      while (at < data.length) {
        const take = Math.min(left, data.length - at);
        md5.update(data.subarray(at, at + take));
        at += take;
        left -= take;
        if (left === 0) closePart();
      }
    },
    async digest() {
      return Buffer.from(md5s.length === boundaries.partsCount ? multipartEtag(md5s) : "incomplete");
    },
  };
}

/** One digest over the whole object, fed in part order. */
function wholeObjectProof(
  level: VerificationLevel,
  digest: ReturnType<typeof newDigest>,
  encode: (bytes: Buffer) => string,
  expected: string,
): ReadProof {
  const ordered = new OrderedDigest(digest);
  return {
    level,
    needsEveryPart: true,
    add: (n, data, release) => ordered.add(n, data, release),
    async mismatch() {
      const computed = encode(Buffer.from(await ordered.digest()));
      return computed === expected ? undefined : { expected, computed };
    },
    dispose: () => ordered.dispose(),
  };
}

/** A checksum per part (the source's own boundaries), combined as S3 combines them. */
function compositeChecksumProof(algorithm: ChecksumAlgorithm, expected: string): ReadProof {
  const parts = new Map<number, Promise<Uint8Array>>();
  return {
    level: "source-checksum",
    needsEveryPart: true,
    add(n, data, release) {
      parts.set(n, digestOf(algorithm, data));
      release();
    },
    async mismatch() {
      const ordered = await Promise.all([...parts.entries()].sort((a, b) => a[0] - b[0]).map(([, p]) => p));
      const computed = await compositeOf(algorithm, ordered);
      return computed === expected ? undefined : { expected, computed };
    },
    dispose: () => parts.clear(),
  };
}

const partsOnlyProof: ReadProof = {
  level: "parts-only",
  needsEveryPart: false,
  add: (_n, _data, release) => release(),
  mismatch: async () => undefined,
  dispose() {},
};

/**
 * The proof for an object read whole (one GET): its MD5 against a plain-MD5 ETag, else its
 * full-object checksum, else nothing. Returns the level, or the mismatch.
 */
export async function proveWhole(
  src: ProvableSource,
  data: Uint8Array,
  md5: string,
): Promise<{ level: VerificationLevel } | { expected: string; computed: string }> {
  if (src.etagIsContentMd5 && isPlainMd5(src.etag)) {
    return md5 === src.etag ? { level: "source-etag" } : { expected: src.etag, computed: md5 };
  }
  if (src.etagIsContentMd5 && isMultipartMd5(src.etag) && etagPartsCount(src.etag) === 1) {
    // an upload of one part: its ETag is the MD5 of that part's MD5
    const computed = multipartEtag([md5]);
    return computed === src.etag ? { level: "source-etag" } : { expected: src.etag, computed };
  }
  if (src.checksum?.type === "full-object") {
    const computed = Buffer.from(await digestOf(src.checksum.algorithm, data)).toString("base64");
    return computed === src.checksum.value
      ? { level: "source-checksum" }
      : { expected: src.checksum.value, computed };
  }
  return { level: "parts-only" };
}
