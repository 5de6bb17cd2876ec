import type { Migration } from "../config/index.js";
import type { Logger } from "../log/index.js";
import type { MigrationClients } from "./options.js";

/** Options of {@link cachedMigrations}. */
export interface CachedMigrationsOptions {
  /** A list older than this is re-read. */
  refreshSeconds: number;
  /** Milliseconds since the epoch. */
  now: () => number;
  logger: Logger;
}

/**
 * The migrations, re-read when stale; concurrent callers share one read, and a failed
 * refresh keeps the last known set (only the very first read may fail).
 */
export function cachedMigrations(
  load: () => Promise<readonly Migration[]>,
  o: CachedMigrationsOptions,
): () => Promise<readonly Migration[]> {
  let cached: { at: number; list: readonly Migration[] } | undefined;
  let reading: Promise<readonly Migration[]> | undefined;
  return () => {
    const known = cached;
    if (known && o.now() - known.at < o.refreshSeconds * 1000) return Promise.resolve(known.list);
    reading ??= load()
      .then(
        (list) => {
          cached = { at: o.now(), list };
          return list;
        },
        (err: unknown) => {
          if (!known) throw err;
          o.logger.warn(
            { err: (err as Error).message },
            "could not refresh migrations; using the last known set",
          );
          return known.list;
        },
      )
      .finally(() => {
        reading = undefined;
      });
    return reading;
  };
}

/**
 * A migration's clients, built once per migration and kept (connection pools are warm on
 * the next job); a failed build is forgotten so the next job tries again.
 */
export function cachedClients(
  build: (m: Migration) => Promise<MigrationClients>,
): (m: Migration) => Promise<MigrationClients> {
  const cache = new Map<string, Promise<MigrationClients>>();
  return (m) => {
    let c = cache.get(m.name);
    if (!c) {
      c = build(m);
      c.catch(() => cache.delete(m.name));
      cache.set(m.name, c);
    }
    return c;
  };
}
