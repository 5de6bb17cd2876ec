import { LongbowError } from "../errors.js";

/**
 * fnmatch-style globs compiled to a matcher that never backtracks more than one step:
 * `*` matches any run of characters (including `/`), `?` exactly one, `[abc]`/`[a-z]`/`[!abc]`
 * one of (not) a set; everything else is literal and case-sensitive. Characters are Unicode
 * code points, as in Python's `fnmatch` (the original's matcher).
 */

/** A pattern that cannot be compiled (a reversed range such as `[z-a]`). */
export class PatternError extends LongbowError {
  constructor(
    readonly pattern: string,
    /** Why, without the pattern: `invalid character set (...)`. */
    readonly reason: string,
  ) {
    super("InvalidPattern", `invalid pattern '${pattern}': ${reason}`);
    this.name = "PatternError";
  }
}

/** Something that decides whether a whole string matches. */
export interface Matcher {
  /** True when the pattern matches all of `text`. */
  test(text: string): boolean;
}

/** Matches exactly one code point. */
type Atom =
  | { kind: "char"; cp: number }
  | { kind: "any" }
  | { kind: "set"; negate: boolean; ranges: [number, number][] };

/** The atoms between two stars: a run of fixed length. */
type Segment = Atom[];

/** Index of the `]` closing the set opened at `open`, or -1 (then the `[` is literal). */
export function closingBracket(pattern: string, open: number): number {
  let j = open + 1;
  if (pattern[j] === "!") j++;
  // a `]` first in the set is a member, not the end
  if (pattern[j] === "]") j++;
  return pattern.indexOf("]", j);
}

function parseSet(pattern: string, body: string): Atom {
  const negate = body.startsWith("!");
  const cps = Array.from(negate ? body.slice(1) : body, (c) => c.codePointAt(0) as number);
  const ranges: [number, number][] = [];
  for (let k = 0; k < cps.length; k++) {
    const lo = cps[k] as number;
    // `a-z` is a range; a `-` first or last is a member (as in a regular expression's class)
    if (cps[k + 1] === 0x2d && k + 2 < cps.length) {
      const hi = cps[k + 2] as number;
      if (hi < lo) throw new PatternError(pattern, "invalid character set (a range like [z-a] is reversed)");
      ranges.push([lo, hi]);
      k += 2;
    } else {
      ranges.push([lo, lo]);
    }
  }
  return { kind: "set", negate, ranges };
}

/** Splits a pattern at its stars into fixed-length segments. Throws {@link PatternError}. */
function parse(pattern: string): Segment[] {
  const segments: Segment[] = [[]];
  let current = segments[0] as Segment;
  for (let i = 0; i < pattern.length; ) {
    const c = pattern[i] as string;
    if (c === "*") {
      current = [];
      segments.push(current);
      i++;
    } else if (c === "?") {
      current.push({ kind: "any" });
      i++;
    } else if (c === "[" && closingBracket(pattern, i) >= 0) {
      const close = closingBracket(pattern, i);
      current.push(parseSet(pattern, pattern.slice(i + 1, close)));
      i = close + 1;
    } else {
      const cp = pattern.codePointAt(i) as number;
      current.push({ kind: "char", cp });
      i += cp > 0xffff ? 2 : 1;
    }
  }
  return segments;
}

function atomMatches(a: Atom, cp: number): boolean {
  if (a.kind === "char") return a.cp === cp;
  if (a.kind === "any") return true;
  let inSet = false;
  for (const [lo, hi] of a.ranges) {
    if (cp >= lo && cp <= hi) {
      inSet = true;
      break;
    }
  }
  return inSet !== a.negate;
}

function segmentAt(seg: Segment, text: readonly number[], at: number): boolean {
  for (let k = 0; k < seg.length; k++) {
    if (!atomMatches(seg[k] as Atom, text[at + k] as number)) return false;
  }
  return true;
}

/** The code points of `text` (one entry per character, astral characters included). */
export function codePoints(text: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const cp = text.codePointAt(i) as number;
    out.push(cp);
    if (cp > 0xffff) i++;
  }
  return out;
}

/**
 * A compiled glob. Every atom matches exactly one character, so the first segment is
 * anchored at the start, the last at the end, and each one in between can take its leftmost
 * occurrence after the previous one: a later occurrence never leaves more room for the rest.
 * Each segment's search starts where the previous one ended, so a match reads each
 * character of the text at most (longest segment) times: no backtracking into earlier stars.
 */
export class Glob implements Matcher {
  private readonly segments: Segment[];

  /** Throws {@link PatternError} for a pattern that cannot be compiled. */
  constructor(readonly pattern: string) {
    this.segments = parse(pattern);
  }

  test(text: string): boolean {
    return this.testCodePoints(codePoints(text));
  }

  /** {@link test} for text already split by {@link codePoints}, to split a key once for many patterns. */
  testCodePoints(text: readonly number[]): boolean {
    const segs = this.segments;
    const head = segs[0] as Segment;
    if (segs.length === 1) return text.length === head.length && segmentAt(head, text, 0);
    const tail = segs[segs.length - 1] as Segment;
    const end = text.length - tail.length;
    if (end < head.length || !segmentAt(head, text, 0) || !segmentAt(tail, text, end)) return false;
    let at = head.length;
    for (let s = 1; s < segs.length - 1; s++) {
      const seg = segs[s] as Segment;
      let found = -1;
      for (let i = at; i + seg.length <= end; i++) {
        if (segmentAt(seg, text, i)) {
          found = i;
          break;
        }
      }
      if (found < 0) return false;
      at = found + seg.length;
    }
    return true;
  }
}
