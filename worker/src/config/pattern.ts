import { closingBracket, codePoints, Glob, type Matcher, PatternError } from "./glob.js";
import type { Migration } from "./migration.js";

/**
 * Ignore and include patterns, with the original's semantics (Python `fnmatch` against
 * `bucket/key`): `*` matches any run of characters including `/`, `?` exactly one,
 * `[abc]`/`[!abc]` one of (not) a set; everything else is literal and case-sensitive.
 * Patterns come from pull requests, so they compile to {@link Glob}, which matches in time
 * linear in the key's length whatever the pattern (no regular expression, no backtracking).
 */

const wildcard = /[*?[]/;

/** Compiles one pattern to a matcher over the whole `bucket/key`. Throws {@link PatternError}. */
export function compilePattern(pattern: string): Matcher {
  return new Glob(pattern);
}

/**
 * Why a pattern is unusable for a migration reading `sourceBucket`, or undefined when it is fine.
 * Catches what would otherwise silently match nothing. With `sourceBucket` undefined (not
 * readable), the pattern's bucket part is not compared.
 */
export function patternProblem(pattern: string, sourceBucket: string | undefined): string | undefined {
  if (pattern === "") return "pattern is empty";
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === "[" && closingBracket(pattern, i) < 0) {
      return `unclosed '[' at character ${i + 1} (write [[] for a literal '[')`;
    }
  }
  try {
    compilePattern(pattern);
  } catch (err) {
    if (err instanceof PatternError) return err.reason;
    throw err;
  }
  if (!pattern.includes("/") && !wildcard.test(pattern)) {
    return "can never match: patterns are matched against 'bucket/key' (e.g. '*/readme.md' or '*.jpg')";
  }
  const slash = pattern.indexOf("/");
  if (slash >= 0 && sourceBucket !== undefined) {
    const bucket = pattern.slice(0, slash);
    if (!wildcard.test(bucket) && bucket !== sourceBucket) {
      return `can never match: '${bucket}' is not the source bucket '${sourceBucket}'`;
    }
  }
  return undefined;
}

/** Decides for one source key whether the migration skips it. */
export type KeyFilter = (sourceKey: string, size?: number) => boolean;

/**
 * Builds the ignore decision of a migration once: ignored when a pattern of `ignore`
 * matches, when `include` is non-empty and none of it matches, or when the object is
 * larger than `limits.maxObjectSize`.
 */
export function ignoreFilter(m: Migration): KeyFilter {
  const prefix = `${m.source.bucket}/`;
  const ignore = m.ignore.map((p) => new Glob(p));
  const include = m.include.map((p) => new Glob(p));
  const maxSize = m.limits.maxObjectSize;
  return (sourceKey, size) => {
    if (maxSize !== undefined && size !== undefined && size > maxSize) return true;
    if (ignore.length === 0 && include.length === 0) return false;
    // split once: every pattern reads the same characters
    const full = codePoints(prefix + sourceKey);
    if (ignore.some((g) => g.testCodePoints(full))) return true;
    return include.length > 0 && !include.some((g) => g.testCodePoints(full));
  };
}

const cache = new WeakMap<Migration, KeyFilter>();

/** Convenience form of {@link ignoreFilter} that compiles once per migration object. */
export function isIgnored(m: Migration, sourceKey: string, size?: number): boolean {
  let f = cache.get(m);
  if (f === undefined) {
    f = ignoreFilter(m);
    cache.set(m, f);
  }
  return f(sourceKey, size);
}
