import type { Migration } from "./migration.js";

/**
 * Ignore and include patterns, with the original's semantics (Python `fnmatch` against
 * `bucket/key`): `*` matches any run of characters including `/`, `?` exactly one,
 * `[abc]`/`[!abc]` one of (not) a set; everything else is literal and case-sensitive.
 */

const wildcard = /[*?[]/;

function closingBracket(pattern: string, open: number): number {
  let j = open + 1;
  if (pattern[j] === "!") j++;
  if (pattern[j] === "]") j++;
  return pattern.indexOf("]", j);
}

function translate(pattern: string): string {
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === "*") {
      out += "[\\s\\S]*";
    } else if (c === "?") {
      out += "[\\s\\S]";
    } else if (c === "[") {
      const close = closingBracket(pattern, i);
      if (close < 0) {
        out += "\\[";
        continue;
      }
      let body = pattern.slice(i + 1, close);
      const negate = body.startsWith("!");
      if (negate) body = body.slice(1);
      out += `[${negate ? "^" : ""}${body.replace(/[\\^]/g, "\\$&").replace(/\[/g, "\\[")}]`;
      i = close;
    } else {
      out += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    }
  }
  return out;
}

/** Compiles one pattern to an anchored regular expression over `bucket/key`. */
export function compilePattern(pattern: string): RegExp {
  return new RegExp(`^${translate(pattern)}$`, "s");
}

/**
 * Why a pattern is unusable for a migration reading `sourceBucket`, or undefined when it is fine.
 * Catches what would otherwise silently match nothing.
 */
export function patternProblem(pattern: string, sourceBucket: string): string | undefined {
  if (pattern === "") return "pattern is empty";
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === "[" && closingBracket(pattern, i) < 0) {
      return `unclosed '[' at character ${i + 1} (write [[] for a literal '[')`;
    }
  }
  try {
    compilePattern(pattern);
  } catch {
    return "invalid character set (a range like [z-a] is reversed)";
  }
  if (!pattern.includes("/") && !wildcard.test(pattern)) {
    return "can never match: patterns are matched against 'bucket/key' (e.g. '*/readme.md' or '*.jpg')";
  }
  const slash = pattern.indexOf("/");
  if (slash >= 0) {
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
  const ignore = m.ignore.map(compilePattern);
  const include = m.include.map(compilePattern);
  const maxSize = m.limits.maxObjectSize;
  return (sourceKey, size) => {
    if (maxSize !== undefined && size !== undefined && size > maxSize) return true;
    if (ignore.length === 0 && include.length === 0) return false;
    const full = prefix + sourceKey;
    if (ignore.some((r) => r.test(full))) return true;
    return include.length > 0 && !include.some((r) => r.test(full));
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
