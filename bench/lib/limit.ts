/**
 * Runs `fn` over `items` with at most `limit` at once: `limit` workers pull from one shared
 * iterator, so the bound holds by construction. Rejects with the first failure after all
 * workers have settled.
 */
export async function forEachLimit<T>(
  items: Iterable<T>,
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  const iterator = items[Symbol.iterator]();
  let failure: unknown;
  const worker = async () => {
    for (let next = iterator.next(); !next.done && failure === undefined; next = iterator.next()) {
      try {
        await fn(next.value);
      } catch (err) {
        failure ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, limit) }, worker));
  if (failure !== undefined) throw failure;
}
