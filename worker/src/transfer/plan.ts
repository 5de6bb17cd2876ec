import { createHash } from "node:crypto";

/** S3's hard limits on multipart uploads. */
export const maxParts = 10_000;
const MiB = 1024 * 1024;

/** How an object is cut into parts. */
export interface PartPlan {
  partSize: number;
  partsCount: number;
  /** True when the part size copies the source's own uniform parts (so the ETags match). */
  mirrored: boolean;
}

export interface PlanInput {
  size: number;
  /** Part size fixed by settings, if any (wins over mirroring). */
  fixedPartSize?: number | undefined;
  minPartSize: number;
  /** Parts count of a multipart source (from its ETag's `-N`). */
  sourcePartsCount?: number | undefined;
  /** Size of the source's part 1 (HeadObject PartNumber=1). */
  sourceFirstPartSize?: number | undefined;
}

/**
 * Picks the part size: the fixed one if set (grown if it would need more than 10,000
 * parts); else the source's own when its parts were uniform (every part the size of part 1
 * but the last, which may be smaller), so the destination ETag equals the source's; else
 * the minimum, grown in whole MiB until the object fits in 10,000 parts.
 */
export function planParts(input: PlanInput): PartPlan {
  const { size, minPartSize } = input;
  const fits = (partSize: number) => Math.ceil(size / partSize) <= maxParts;
  const make = (partSize: number, mirrored: boolean): PartPlan => ({
    partSize,
    partsCount: Math.max(1, Math.ceil(size / partSize)),
    mirrored,
  });
  if (input.fixedPartSize !== undefined) {
    const grown = fits(input.fixedPartSize) ? input.fixedPartSize : Math.ceil(size / maxParts);
    return make(grown, false);
  }
  const first = input.sourceFirstPartSize;
  const count = input.sourcePartsCount;
  if (
    first !== undefined &&
    count !== undefined &&
    count > 1 &&
    first >= minPartSize &&
    Math.ceil(size / first) === count
  ) {
    return make(first, true);
  }
  let partSize = minPartSize;
  if (!fits(partSize)) partSize = Math.ceil(size / maxParts / MiB) * MiB;
  return make(partSize, false);
}

/** Byte range of part `partNumber` (1-based): `start` inclusive, `length` bytes. */
export function partRange(
  plan: PartPlan,
  size: number,
  partNumber: number,
): { start: number; length: number } {
  const start = (partNumber - 1) * plan.partSize;
  return { start, length: Math.min(plan.partSize, size - start) };
}

/** Hex MD5 of a buffer, as S3 reports it in a single-part ETag. */
export function md5Hex(data: Uint8Array): string {
  return createHash("md5").update(data).digest("hex");
}

/** The ETag S3 gives a completed multipart upload: MD5 of the parts' binary MD5s, then `-N`. */
export function multipartEtag(partEtags: readonly string[]): string {
  const h = createHash("md5");
  for (const etag of partEtags) h.update(Buffer.from(etag, "hex"));
  return `${h.digest("hex")}-${partEtags.length}`;
}

/** ETag without the surrounding quotes S3 puts on it. */
export function unquote(etag: string | undefined): string | undefined {
  return etag?.replace(/^"+|"+$/g, "");
}

/** Parts count of a multipart ETag (`...-N`), or undefined for a single-part one. */
export function etagPartsCount(etag: string): number | undefined {
  const m = /-(\d+)$/.exec(etag);
  return m ? Number(m[1]) : undefined;
}

/** True when the ETag is the plain MD5 of the content (single PUT, no SSE-KMS/SSE-C). */
export function isPlainMd5(etag: string): boolean {
  return /^[0-9a-f]{32}$/.test(etag);
}
