import { type Migration, maxDeleteFraction } from "../config/index.js";
import { LongbowError } from "../errors.js";

/** How much of the destination a mirror send would delete, against its safety stop. */
export interface DeletionShare {
  /** Objects that would be deleted. */
  objects: number;
  /** Objects at the destination under the migration's prefix (the listing's, ignored keys included). */
  destinationObjects: number;
  /** objects / destinationObjects (0 when the destination is empty). */
  share: number;
  /** The migration's `mirror.maxDeleteShare` as written, e.g. `10%`. */
  limit: string;
  /** True when the share is above the limit: send refuses to delete. */
  overLimit: boolean;
}

/** The share of the destination `objects` deletions are, against the migration's limit. */
export function deletionShare(m: Migration, objects: number, destinationObjects: number): DeletionShare {
  const share = destinationObjects === 0 ? 0 : objects / destinationObjects;
  return {
    objects,
    destinationObjects,
    share,
    limit: m.mirror.maxDeleteShare,
    overLimit: objects > 0 && share > maxDeleteFraction(m.mirror),
  };
}

/** A share as people read it: `12.5%`, `0.01%` (never rounded down to a misleading 0%). */
export function formatShare(share: number): string {
  const pct = share * 100;
  if (pct > 0 && pct < 0.01) return "<0.01%";
  return `${Number(pct.toFixed(2))}%`;
}

/** The smallest whole percentage at or above `share`: what the limit must be raised to. */
export function neededLimit(share: number): string {
  return `${Math.min(100, Math.ceil(share * 100 - 1e-9))}%`;
}

/** A mirror send would delete more than the file allows: nothing is deleted until the file raises the limit. */
export class DeletionLimitError extends LongbowError {
  constructor(migration: string, file: string, s: DeletionShare) {
    super(
      "DeletionLimitExceeded",
      `migration '${migration}' (${file}): ${s.objects} of the destination's ${s.destinationObjects} objects (${formatShare(s.share)}) would be deleted, over mirror.maxDeleteShare ${s.limit}; no deletion was sent (copies were). Review the plan's deletions, then raise mirror.maxDeleteShare in ${file} to at least ${neededLimit(s.share)} to allow them`,
      { context: { migration, file } },
    );
    this.name = "DeletionLimitError";
  }
}
