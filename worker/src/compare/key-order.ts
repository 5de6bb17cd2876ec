/**
 * S3 lists keys in UTF-8 byte order, which is Unicode code point order. JavaScript's `<`
 * compares UTF-16 code units, which disagrees for characters above U+FFFF against
 * U+E000..U+FFFF, so keys are compared here instead.
 */
export function compareKeys(a: string, b: string): number {
  return a === b ? 0 : compareKeysFrom(a, 0, b, 0);
}

/** {@link compareKeys} of `a.slice(aFrom)` and `b.slice(bFrom)` without building the slices. */
export function compareKeysFrom(a: string, aFrom: number, b: string, bFrom: number): number {
  const n = Math.min(a.length - aFrom, b.length - bFrom);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(aFrom + i);
    const cb = b.charCodeAt(bFrom + i);
    if (ca === cb) continue;
    const sa = ca >= 0xd800 && ca <= 0xdfff;
    const sb = cb >= 0xd800 && cb <= 0xdfff;
    if (sa === sb) return ca - cb;
    // a surrogate stands for a code point above every BMP character
    return sa ? 1 : -1;
  }
  return a.length - aFrom - (b.length - bFrom);
}
