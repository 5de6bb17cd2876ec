import { compareKeys } from "./key-order.js";
import type { ListedObject, ListPage, ListRequest, ObjectLister } from "./types.js";

/** Options of {@link memoryLister} and {@link virtualLister}. */
export interface MemoryListerOptions {
  /** Keys per page. @defaultValue 1000 */
  pageSize?: number;
  /** Milliseconds each page takes, standing in for a network round trip. @defaultValue 0 */
  delayMs?: number;
}

/**
 * A bucket's objects in ascending key order, addressed by index: an array, or objects
 * computed on demand so a benchmark can list millions of keys without holding them.
 */
export interface SortedObjects {
  readonly length: number;
  at(index: number): ListedObject;
}

/** First index where `before` turns false; `before` must be true then false along the objects. */
function partitionPoint(objects: SortedObjects, before: (key: string) => boolean): number {
  let lo = 0;
  let hi = objects.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(objects.at(mid).key)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A lister over sorted objects behaving like ListObjectsV2: prefix, delimiter (a common
 * prefix counts as one entry and is skipped whole), pages, continuation tokens.
 */
export function virtualLister(
  buckets: Record<string, SortedObjects>,
  options: MemoryListerOptions = {},
): ObjectLister {
  const pageSize = options.pageSize ?? 1000;
  const delayMs = options.delayMs ?? 0;
  return {
    async listPage(req: ListRequest): Promise<ListPage> {
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      const objects = buckets[req.bucket] ?? { length: 0, at: () => ({ key: "", size: 0 }) };
      let i =
        req.token !== undefined
          ? Number(req.token)
          : partitionPoint(objects, (k) => compareKeys(k, req.prefix) < 0);
      const page: ListPage = { objects: [], commonPrefixes: [] };
      let count = 0;
      while (i < objects.length && count < pageSize) {
        const o = objects.at(i);
        if (!o.key.startsWith(req.prefix)) break;
        const cut = req.delimiter ? o.key.indexOf(req.delimiter, req.prefix.length) : -1;
        if (cut >= 0) {
          const cp = o.key.slice(0, cut + (req.delimiter as string).length);
          page.commonPrefixes.push(cp);
          i = partitionPoint(objects, (k) => compareKeys(k, cp) < 0 || k.startsWith(cp));
        } else {
          page.objects.push(o);
          i++;
        }
        count++;
      }
      if (i < objects.length && objects.at(i).key.startsWith(req.prefix)) page.nextToken = String(i);
      return page;
    },
  };
}

/** {@link virtualLister} over plain arrays of objects (sorted here once), for tests. */
export function memoryLister(
  buckets: Record<string, ListedObject[]>,
  options: MemoryListerOptions = {},
): ObjectLister {
  const sorted: Record<string, SortedObjects> = {};
  for (const [b, objs] of Object.entries(buckets)) {
    const arr = [...objs].sort((x, y) => compareKeys(x.key, y.key));
    sorted[b] = { length: arr.length, at: (i) => arr[i] as ListedObject };
  }
  return virtualLister(sorted, options);
}
