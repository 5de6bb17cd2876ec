/**
 * Levenshtein distance (insertions, deletions, substitutions) that also counts a swap of two
 * adjacent characters as one edit (optimal string alignment), since `nmae` is one slip, not two.
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  // rows i-2, i-1 and i of the dynamic-programming table
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, (before[j - 2] as number) + 1);
      }
      row.push(d);
    }
    before = prev;
    prev = row;
  }
  return prev[b.length] as number;
}

// `max_object_size` and `MaxObjectSize` are meant as `maxObjectSize`: compare without case and separators
const folded = (s: string) => s.toLowerCase().replace(/[-_\s]/g, "");

/**
 * The candidate `word` was most likely meant as, or undefined when none is close: at most two
 * edits apart (ignoring case, `-` and `_`) and closer than half the word's length, so short
 * words do not get far-fetched suggestions. Ties go to the first candidate.
 */
export function closestName(word: string, candidates: Iterable<string>): string | undefined {
  const w = folded(word);
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    if (c === word) continue;
    const d = editDistance(w, folded(c));
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return bestDistance <= 2 && bestDistance * 2 < w.length ? best : undefined;
}

/** `; did you mean 'x'?` when {@link closestName} finds one, else the empty string. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const c = closestName(word, candidates);
  return c === undefined ? "" : `; did you mean '${c}'?`;
}
