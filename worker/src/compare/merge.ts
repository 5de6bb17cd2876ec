import type { KeyFilter, Migration } from "../config/index.js";
import { ListingCursor } from "./cursor.js";
import { compareKeysFrom } from "./key-order.js";
import { ownSignal } from "./own-signal.js";
import type { CopyRecords, DiffItem, ListedObject, ObjectLister } from "./types.js";

/** A slice of the key space, relative to both sides' prefixes. */
export interface Partition {
  /** Relative prefix: appended to the source prefix and to the destination prefix. */
  relative: string;
  /** `subtree`: every key under it; `direct`: only keys with no further `/` after it. */
  kind: "subtree" | "direct";
}

/** Everything a partition's merge needs besides the partition. */
export interface MergeContext {
  migration: Migration;
  sourceLister: ObjectLister;
  destinationLister: ObjectLister;
  filter: KeyFilter;
  copyRecords: CopyRecords | undefined;
  /** Items handed to `emit` at once, and the most keys one provenance lookup asks for. */
  chunkSize: number;
  signal: AbortSignal | undefined;
}

/** Decides an object present on both sides that the listing alone cannot settle. */
type Pending = { index: number; destinationEtag: string | undefined };

function sameContent(src: ListedObject, dst: ListedObject): boolean {
  return src.etag !== undefined && src.etag === dst.etag;
}

/**
 * Merge-joins the source and destination listings of one partition: both ascend, so one
 * pass decides every key. Emits chunks in key order; holds one page per side and one chunk.
 */
export async function mergePartition(
  part: Partition,
  ctx: MergeContext,
  emit: (items: DiffItem[]) => Promise<void>,
): Promise<void> {
  const m = ctx.migration;
  const mode = m.compare === "version" || m.versioning.compareVersionId ? "version" : m.compare;
  const srcPrefix = m.source.prefix;
  const dstPrefix = m.destination.prefix;
  const delimiter = part.kind === "direct" ? "/" : undefined;
  const src = new ListingCursor(
    ctx.sourceLister,
    m.source.bucket,
    srcPrefix + part.relative,
    delimiter,
    ownSignal(ctx.signal),
  );
  const dst = new ListingCursor(
    ctx.destinationLister,
    m.destination.bucket,
    dstPrefix + part.relative,
    delimiter,
    ownSignal(ctx.signal),
  );
  const recordsSignal = ownSignal(ctx.signal);
  await Promise.all([src.fill(), dst.fill()]);
  let chunk: DiffItem[] = [];
  let pending: Pending[] = [];

  const flush = async () => {
    if (pending.length > 0 && ctx.copyRecords) {
      const keys = pending.map((p) => chunk[p.index]?.sourceKey as string);
      const records = await ctx.copyRecords.copiedFrom(m.name, keys, recordsSignal);
      for (const p of pending) {
        const item = chunk[p.index] as DiffItem;
        const rec = records.get(item.sourceKey as string);
        const same =
          mode === "version" && rec?.sourceVersionId !== undefined
            ? item.versionId !== undefined && rec.sourceVersionId === item.versionId
            : rec?.sourceEtag !== undefined
              ? rec.sourceEtag === item.etag
              : item.etag !== undefined && item.etag === p.destinationEtag;
        item.kind = same ? "identical" : "changed";
      }
    }
    pending = [];
    const out = chunk;
    chunk = [];
    if (out.length > 0) await emit(out);
  };

  for (;;) {
    const a = src.head;
    const b = dst.head;
    if (a === undefined && b === undefined) break;
    const order =
      a === undefined
        ? 1
        : b === undefined
          ? -1
          : compareKeysFrom(a.key, srcPrefix.length, b.key, dstPrefix.length);
    if (order > 0) {
      const d = b as ListedObject;
      const item: DiffItem = { kind: "extra", destinationKey: d.key, size: d.size };
      if (d.etag !== undefined) item.etag = d.etag;
      chunk.push(item);
      dst.advance();
    } else {
      const s = a as ListedObject;
      const item: DiffItem = {
        kind: "new",
        sourceKey: s.key,
        destinationKey: dstPrefix + s.key.slice(srcPrefix.length),
        size: s.size,
      };
      if (s.etag !== undefined) item.etag = s.etag;
      if (s.versionId !== undefined) item.versionId = s.versionId;
      if (order === 0) item.atDestination = true;
      if (ctx.filter(s.key, s.size)) {
        item.kind = "ignored";
      } else if (order === 0) {
        const d = b as ListedObject;
        if (d.size !== s.size) item.kind = "changed";
        else if (mode === "size") item.kind = "identical";
        else if (ctx.copyRecords && (mode === "version" || !sameContent(s, d))) {
          item.kind = "changed";
          pending.push({ index: chunk.length, destinationEtag: d.etag });
        } else item.kind = sameContent(s, d) ? "identical" : "changed";
      }
      chunk.push(item);
      src.advance();
      if (order === 0) dst.advance();
    }
    if (src.needsFill || dst.needsFill) {
      // hand over what is decided before waiting for the next page (short-lived objects are cheap to collect)
      await flush();
      await Promise.all([src.fill(), dst.fill()]);
    } else if (chunk.length >= ctx.chunkSize) {
      await flush();
    }
  }
  await flush();
}
