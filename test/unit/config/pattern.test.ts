import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compilePattern, Glob, PatternError, patternProblem } from "../../../worker/src/config/index.js";

/**
 * The matcher's meaning, written the slow way: the translation to a regular expression that
 * the matcher replaced (with `]` first in a set kept as a member, and code points). Only
 * ever run on short strings, where backtracking costs nothing.
 */
function oracle(pattern: string): RegExp {
  let out = "";
  const esc = (c: string) => c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const escInSet = (c: string) => c.replace(/[\]\\^[-]/g, "\\$&");
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === "*") out += "[\\s\\S]*";
    else if (c === "?") out += "[\\s\\S]";
    else if (c === "[") {
      let j = i + 1;
      if (pattern[j] === "!") j++;
      if (pattern[j] === "]") j++;
      const close = pattern.indexOf("]", j);
      if (close < 0) {
        out += "\\[";
        continue;
      }
      let body = pattern.slice(i + 1, close);
      const negate = body.startsWith("!");
      if (negate) body = body.slice(1);
      const cps = Array.from(body);
      let set = "";
      for (let k = 0; k < cps.length; k++) {
        if (cps[k + 1] === "-" && k + 2 < cps.length) {
          set += `${escInSet(cps[k] as string)}-${escInSet(cps[k + 2] as string)}`;
          k += 2;
        } else set += escInSet(cps[k] as string);
      }
      out += `[${negate ? "^" : ""}${set}]`;
      i = close;
    } else out += esc(c);
  }
  return new RegExp(`^${out}$`, "su");
}

describe("glob matching", () => {
  it("finishes on the issue's hostile pattern and answers correctly", () => {
    const glob = compilePattern("*a*a*a*a*a*a*a*a*a*b");
    // 69 characters took 162 s with the regular expression; each of these is a single pass
    expect(glob.test("a".repeat(69))).toBe(false);
    expect(glob.test(`${"a".repeat(68)}b`)).toBe(true);
    expect(glob.test("a".repeat(100_000))).toBe(false);
    expect(glob.test("ab".repeat(9))).toBe(true);
    expect(glob.test("aaaaaaaab")).toBe(false);
  });

  it("finishes on a 20-star pattern against 1,024-character keys", () => {
    const glob = new Glob(`${"*a".repeat(20)}*b`);
    expect(glob.test("a".repeat(1024))).toBe(false);
    expect(glob.test(`${"a".repeat(1023)}b`)).toBe(true);
    expect(glob.test(`${"a".repeat(19)}b${"a".repeat(1004)}`)).toBe(false);
  });

  it("treats ']' first in a set as a member, as fnmatch does", () => {
    expect(compilePattern("b/[]]").test("b/]")).toBe(true);
    expect(compilePattern("b/[]a]").test("b/a")).toBe(true);
    expect(compilePattern("b/[!]]").test("b/]")).toBe(false);
    expect(compilePattern("b/[!]]").test("b/x")).toBe(true);
  });

  it("counts characters, not UTF-16 units: '?' and sets match one emoji", () => {
    expect(compilePattern("b/?.txt").test("b/😀.txt")).toBe(true);
    expect(compilePattern("b/[😀😁].txt").test("b/😁.txt")).toBe(true);
    expect(compilePattern("b/??.txt").test("b/😀.txt")).toBe(false);
  });

  it("keeps regular-expression syntax literal", () => {
    expect(compilePattern("b/(a|b)+.txt").test("b/(a|b)+.txt")).toBe(true);
    expect(compilePattern("b/(a|b)+.txt").test("b/a.txt")).toBe(false);
    expect(compilePattern("b/[\\d]").test("b/d")).toBe(true);
    expect(compilePattern("b/[\\d]").test("b/1")).toBe(false);
    expect(compilePattern("b/[^a]").test("b/^")).toBe(true);
    expect(compilePattern("b/[a-]").test("b/-")).toBe(true);
  });

  it("rejects a reversed range with a typed error", () => {
    expect(() => compilePattern("b/[z-a]")).toThrow(PatternError);
    expect(patternProblem("b/[z-a]", "b")).toBe("invalid character set (a range like [z-a] is reversed)");
  });

  it("agrees with the regular-expression meaning on any small pattern and text", () => {
    const alphabet = fc.constantFrom("a", "b", "/", "-", "]", "!", "*", "?", "[", "😀");
    const pattern = fc.array(alphabet, { maxLength: 8 }).map((cs) => cs.join(""));
    const text = fc
      .array(fc.constantFrom("a", "b", "/", "-", "]", "!", "😀", "["), { maxLength: 10 })
      .map((cs) => cs.join(""));
    fc.assert(
      fc.property(pattern, text, (p, t) => {
        let expected: RegExp;
        try {
          expected = oracle(p);
        } catch {
          // a reversed range: the matcher must refuse it too
          expect(() => compilePattern(p)).toThrow(PatternError);
          return;
        }
        expect(compilePattern(p).test(t)).toBe(expected.test(t));
      }),
      { numRuns: 5000 },
    );
  });
});
