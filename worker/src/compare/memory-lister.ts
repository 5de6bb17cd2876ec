import { compareKeys } from "./key-order.js";
import type { ListedObject, ListPage, ListRequest, ObjectLister } from "./types.js";

/** Options of {@link memoryLister}. */
export interface MemoryListerOptions {
  /** Keys per page. @defaultValue 1000 */
  pageSize?: number;
  /** Milliseconds each page takes, standing in for a network round trip. @defaultValue 0 */
  delayMs?: number;
}

/** First index where `before` turns false; `before` must be true then false along the array. */
function partitionPoint(objects: readonly ListedObject[], before: (key: string) => boolean): number {
  let lo = 0;
  let hi = objects.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before((objects[mid] as ListedObject).key)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const lowerBound = (objects: readonly ListedObject[], key: string) =>
  partitionPoint(objects, (k) => compareKeys(k, key) < 0);

/**
 * An in-memory bucket set behaving like ListObjectsV2 (prefix, delimiter, pages, sorted
 * keys), for property tests and the compare benchmark. `buckets` maps a bucket name to its
 * objects; they are sorted once here.
 */
export function memoryLister(
  buckets: Record<string, ListedObject[]>,
  options: MemoryListerOptions = {},
): ObjectLister {
  const pageSize = options.pageSize ?? 1000;
  const delayMs = options.delayMs ?? 0;
  const sorted = new Map(
    Object.entries(buckets).map(([b, objs]) => [b, [...objs].sort((x, y) => compareKeys(x.key, y.key))]),
  );
  return {
    async listPage(req: ListRequest): Promise<ListPage> {
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      const objects = sorted.get(req.bucket) ?? [];
      let i = lowerBound(objects, req.token ?? req.prefix);
      const page: ListPage = { objects: [], commonPrefixes: [] };
      let count = 0;
      while (i < objects.length && count < pageSize) {
        const o = objects[i] as ListedObject;
        if (!o.key.startsWith(req.prefix)) break;
        const cut = req.delimiter ? o.key.indexOf(req.delimiter, req.prefix.length) : -1;
        if (cut >= 0) {
          const cp = o.key.slice(0, cut + (req.delimiter as string).length);
          page.commonPrefixes.push(cp);
          // skip the whole common prefix, as S3 does
          i = partitionPoint(objects, (k) => compareKeys(k, cp) < 0 || k.startsWith(cp));
        } else {
          page.objects.push(o);
          i++;
        }
        count++;
      }
      const next = objects[i];
      if (next?.key.startsWith(req.prefix)) page.nextToken = next.key;
      return page;
    },
  };
}
