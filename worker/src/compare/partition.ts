import type { Migration } from "../config/index.js";
import { forEachBounded } from "./bounded.js";
import { compareKeys } from "./key-order.js";
import type { Partition } from "./merge.js";
import { ownSignal } from "./own-signal.js";
import type { ObjectLister } from "./types.js";

/** Inputs of {@link discoverPartitions}. */
export interface PartitionContext {
  migration: Migration;
  sourceLister: ObjectLister;
  destinationLister: ObjectLister;
  depth: number;
  parallelism: number;
  signal: AbortSignal | undefined;
}

async function commonPrefixes(
  lister: ObjectLister,
  bucket: string,
  prefix: string,
  signal: AbortSignal | undefined,
): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  do {
    const page = await lister.listPage({ bucket, prefix, delimiter: "/", token, signal });
    for (const p of page.commonPrefixes) out.push(p.slice(prefix.length));
    token = page.nextToken;
  } while (token !== undefined);
  return out;
}

/**
 * Splits the key space by `/`-delimited common prefixes, `depth` levels deep, taking the
 * union of both sides (so a subtree present only at the destination still yields its
 * extras). Each level contributes a `direct` partition for the keys that stop there.
 * Partitions are disjoint and cover every key; memory is O(number of prefixes).
 */
export async function discoverPartitions(ctx: PartitionContext): Promise<Partition[]> {
  const m = ctx.migration;
  const out: Partition[] = [];
  if (ctx.depth === 0) return [{ relative: "", kind: "subtree" }];
  let level: string[] = [""];
  for (let d = 1; d <= ctx.depth; d++) {
    const children: string[][] = level.map(() => []);
    await forEachBounded(
      level.map((rel, i) => ({ rel, i })),
      ctx.parallelism,
      async ({ rel, i }) => {
        const [a, b] = await Promise.all([
          commonPrefixes(ctx.sourceLister, m.source.bucket, m.source.prefix + rel, ownSignal(ctx.signal)),
          commonPrefixes(
            ctx.destinationLister,
            m.destination.bucket,
            m.destination.prefix + rel,
            ownSignal(ctx.signal),
          ),
        ]);
        children[i] = [...new Set([...a, ...b])].sort(compareKeys).map((c) => rel + c);
      },
    );
    for (const rel of level) out.push({ relative: rel, kind: "direct" });
    level = children.flat();
  }
  for (const rel of level) out.push({ relative: rel, kind: "subtree" });
  return out;
}
