import type { ResumePoint } from "../transfer/index.js";
import type { CopiedFrom, LedgerItem } from "./ledger.js";

/** The item fields that make up a resume point. */
export const resumeFields = [
  "uploadId",
  "partSize",
  "partLayout",
  "layoutGuessed",
  "resumeEtag",
  "resumeVersionId",
  "completingEtag",
] as const;

/** What the compare needs of done items: the source each copy was made from. */
export function copiedFromItems(items: ReadonlyMap<string, LedgerItem>): Map<string, CopiedFrom> {
  const out = new Map<string, CopiedFrom>();
  for (const [key, item] of items) {
    if (item.status !== "done") continue;
    const from: CopiedFrom = {};
    setOrDelete(from, "sourceEtag", item.sourceEtag);
    setOrDelete(from, "sourceVersionId", item.sourceVersionId);
    out.set(key, from);
  }
  return out;
}

export function resumePointOf(item: LedgerItem): ResumePoint | undefined {
  if (item.uploadId === undefined || item.partSize === undefined) return undefined;
  const point: ResumePoint = { uploadId: item.uploadId, partSize: item.partSize };
  if (item.partLayout !== undefined) point.layout = item.partLayout;
  if (item.layoutGuessed) point.layoutGuessed = true;
  if (item.resumeEtag !== undefined) point.sourceEtag = item.resumeEtag;
  if (item.resumeVersionId !== undefined) point.sourceVersionId = item.resumeVersionId;
  if (item.completingEtag !== undefined) point.completing = item.completingEtag;
  return point;
}

/** Sets an optional field, or removes it, so items never carry explicit `undefined`. */
export function setOrDelete<T extends object, K extends keyof T>(
  target: T,
  field: K,
  value: T[K] | undefined,
): void {
  if (value === undefined) delete target[field];
  else target[field] = value;
}
