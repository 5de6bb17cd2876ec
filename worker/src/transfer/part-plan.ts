/** S3's hard limits on multipart uploads. */
export const maxParts = 10_000;
const MiB = 1024 * 1024;
export const maxPartSize = 5 * 1024 * MiB;

/**
 * Part sizes in part order, run-length encoded as `[size, count]` runs: a uniform layout
 * of 8 MiB parts with a smaller last part is `[[8 MiB, n - 1], [last, 1]]`. Small enough
 * to keep in a ledger item and a job even for 10,000 uneven parts.
 */
export type PartLayout = readonly (readonly [size: number, count: number])[];

/** Run-length encodes a list of part sizes. */
export function layoutOf(sizes: readonly number[]): PartLayout {
  const runs: [number, number][] = [];
  for (const size of sizes) {
    const last = runs[runs.length - 1];
    if (last !== undefined && last[0] === size) last[1]++;
    else runs.push([size, 1]);
  }
  return runs;
}

/** True when two layouts cut an object at the same places. */
export function sameLayout(a: PartLayout, b: PartLayout): boolean {
  return a.length === b.length && a.every((run, i) => run[0] === b[i]?.[0] && run[1] === b[i]?.[1]);
}

/**
 * How one object is cut into parts. `mirrored` plans follow the source's own part
 * boundaries, so the destination's ETag equals the source's and the bytes read can be
 * proven against it; other plans are the engine's own (uniform) cut.
 */
export class PartPlan {
  readonly layout: PartLayout;
  readonly mirrored: boolean;
  readonly partsCount: number;
  /** Object size: the sum of the parts. */
  readonly size: number;
  /** The largest part: what a part may reserve of the byte budget at most. */
  readonly partSize: number;
  /** Start offset of each run's first part, and the part number it begins at. */
  readonly #runStarts: { firstPart: number; offset: number }[];

  constructor(layout: PartLayout, mirrored: boolean) {
    this.layout = layout;
    this.mirrored = mirrored;
    let parts = 0;
    let offset = 0;
    let largest = 0;
    this.#runStarts = layout.map(([size, count]) => {
      const start = { firstPart: parts + 1, offset };
      parts += count;
      offset += size * count;
      largest = Math.max(largest, size);
      return start;
    });
    this.partsCount = parts;
    this.size = offset;
    this.partSize = largest;
  }

  /** Byte range of part `n` (1-based): `start` inclusive, `length` bytes. */
  range(n: number): { start: number; length: number } {
    // runs are few (two for a uniform plan); a binary search keeps 10,000 uneven parts cheap
    let lo = 0;
    let hi = this.#runStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.#runStarts[mid] as { firstPart: number }).firstPart <= n) lo = mid;
      else hi = mid - 1;
    }
    const run = this.#runStarts[lo] as { firstPart: number; offset: number };
    const size = (this.layout[lo] as readonly [number, number])[0];
    return { start: run.offset + (n - run.firstPart) * size, length: size };
  }

  /** Every part number with its range, in order. */
  *parts(): Generator<{ n: number; start: number; length: number }> {
    let n = 1;
    let start = 0;
    for (const [size, count] of this.layout) {
      for (let i = 0; i < count; i++, n++, start += size) yield { n, start, length: size };
    }
  }
}

/** Cuts `size` bytes into parts of `partSize` (the last one smaller). */
export function uniformLayout(size: number, partSize: number): PartLayout {
  const full = Math.floor(size / partSize);
  const rest = size - full * partSize;
  const runs: [number, number][] = [];
  if (full > 0) runs.push([partSize, full]);
  if (rest > 0 || runs.length === 0) runs.push([rest, 1]);
  return runs;
}

/** What the engine's own cut of an object depends on. */
export interface OwnPlanInput {
  size: number;
  /** Part size fixed by settings, if any (grown when it would need more than 10,000 parts). */
  fixedPartSize?: number | undefined;
  minPartSize: number;
}

/**
 * The engine's own part size: the fixed one if set (grown if it would need more than
 * 10,000 parts), else the minimum, grown in whole MiB until the object fits in 10,000 parts.
 */
export function ownPartSize(input: OwnPlanInput): number {
  const { size, minPartSize } = input;
  const fits = (partSize: number) => Math.ceil(size / partSize) <= maxParts;
  if (input.fixedPartSize !== undefined) {
    return fits(input.fixedPartSize) ? input.fixedPartSize : Math.ceil(size / maxParts);
  }
  return fits(minPartSize) ? minPartSize : Math.ceil(size / maxParts / MiB) * MiB;
}

/** The engine's own uniform plan (for sources that were not uploaded in parts). */
export function ownPlan(input: OwnPlanInput): PartPlan {
  return new PartPlan(uniformLayout(input.size, ownPartSize(input)), false);
}

/** Why a source's own layout cannot be copied part for part, or undefined when it can. */
export function unmirrorableReason(
  layout: PartLayout,
  size: number,
  minPartSize: number,
): string | undefined {
  const plan = new PartPlan(layout, true);
  if (plan.size !== size) return `its parts add up to ${plan.size} bytes, not ${size}`;
  let n = 0;
  for (const [partSize, count] of layout) {
    n += count;
    if (partSize < minPartSize && n < plan.partsCount) {
      return `part ${n} is ${partSize} bytes, below the destination's minimum part of ${minPartSize}`;
    }
  }
  return undefined;
}

/**
 * A layout S3 could never have produced: more than 10,000 parts, a part above 5 GiB, or an
 * empty part. Copying such a source part for part is impossible, and its ETag cannot be
 * what it claims; the message names the limit broken.
 */
export function impossibleLayoutReason(layout: PartLayout): string | undefined {
  const plan = new PartPlan(layout, true);
  if (plan.partsCount > maxParts) return `${plan.partsCount} parts (S3 allows ${maxParts})`;
  if (plan.partSize > maxPartSize) return `a part of ${plan.partSize} bytes (S3 allows ${maxPartSize})`;
  if (plan.partsCount > 1 && layout.some(([size]) => size === 0)) return "an empty part";
  return undefined;
}
