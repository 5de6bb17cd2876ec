/** Edit distance (insertions, deletions, substitutions) between two strings, by code unit. */
export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost));
    }
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
    const d = levenshtein(w, folded(c));
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
