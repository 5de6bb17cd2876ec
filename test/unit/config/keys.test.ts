import { describe, expect, it } from "vitest";
import {
  compilePattern,
  destinationEndpoint,
  destinationKey,
  isIgnored,
  KeyOutsidePrefixError,
  type Migration,
  normalizeMigration,
  patternProblem,
  sourceEndpoint,
  sourceKeyOf,
} from "../../../worker/src/config/index.js";

function migration(srcPrefix: string, dstPrefix: string, extra: Partial<Migration> = {}): Migration {
  return {
    ...normalizeMigration({
      name: "m",
      source: { bucket: "your_src_bucket", prefix: srcPrefix, region: "us-east-1" },
      destination: {
        bucket: "dst",
        prefix: dstPrefix,
        region: "cn-northwest-1",
        endpoint: "http://127.0.0.1:9000",
        credentials: { profile: "cn" },
      },
    }),
    ...extra,
  };
}

describe("destination key = destination prefix + (source key minus source prefix)", () => {
  it.each([
    ["", "", "a/b.mp4", "a/b.mp4"],
    ["", "copy/", "a/b.mp4", "copy/a/b.mp4"],
    ["videos/", "", "videos/a/b.mp4", "a/b.mp4"],
    ["videos/", "archive/2024/", "videos/a.mp4", "archive/2024/a.mp4"],
    ["videos", "vids", "videos/a.mp4", "vids/a.mp4"],
    ["videos", "", "videos-old/a.mp4", "-old/a.mp4"],
    ["a/", "b/", "a/", "b/"],
    ["", "x/", "日本/ファイル 1+1=2%.txt", "x/日本/ファイル 1+1=2%.txt"],
  ])("src prefix %j, dst prefix %j: %j → %j", (sp, dp, key, expected) => {
    const m = migration(sp, dp);
    expect(destinationKey(m, key)).toBe(expected);
    expect(sourceKeyOf(m, expected)).toBe(key);
  });

  it("refuses a key outside the source prefix", () => {
    expect(() => destinationKey(migration("videos/", ""), "images/a.jpg")).toThrow(KeyOutsidePrefixError);
  });

  it("gives the S3 client factory each side's endpoint, forcing path style only with a custom endpoint", () => {
    const m = migration("", "");
    expect(sourceEndpoint(m)).toEqual({ region: "us-east-1", credentials: "default" });
    expect(destinationEndpoint(m)).toEqual({
      region: "cn-northwest-1",
      endpoint: "http://127.0.0.1:9000",
      forcePathStyle: true,
      credentials: { profile: "cn" },
    });
  });
});

describe("ignore patterns, with the original's semantics (fnmatch against bucket/key)", () => {
  // the original README's examples first
  it.each([
    ["your_src_bucket/your_exact_key.mp4", "your_exact_key.mp4", true],
    ["your_src_bucket/your_exact_key.mp4", "your_exact_key.mp4.bak", false],
    ["your_src_bucket/your_exact_key.mp4", "dir/your_exact_key.mp4", false],
    ["your_src_bucket/your_exact_key.*", "your_exact_key.mov", true],
    ["your_src_bucket/your_exact_key.*", "your_exact_key.", true],
    ["your_src_bucket/your_exact_key.*", "your_exact_keys.mov", false],
    ["your_src_bucket/your_*", "your_anything/at/any/depth", true],
    ["your_src_bucket/your_*", "my_file", false],
    ["*.jpg", "a.jpg", true],
    ["*.jpg", "deep/er/a.jpg", true],
    ["*.jpg", "a.JPG", false],
    ["*.jpg", "a.jpg.txt", false],
    ["*/readme.md", "readme.md", true],
    ["*/readme.md", "docs/readme.md", true],
    ["*/readme.md", "docs/README.md", false],
    ["*/readme.md", "docs/my-readme.md", false],
    ["your_src_bucket/?.txt", "a.txt", true],
    ["your_src_bucket/?.txt", "ab.txt", false],
    ["your_src_bucket/?.txt", "/.txt", true],
    ["your_src_bucket/[ab]*", "b-file", true],
    ["your_src_bucket/[!ab]*", "b-file", false],
    ["your_src_bucket/[!ab]*", "c-file", true],
    ["your_src_bucket/a+b(1).txt", "a+b(1).txt", true],
    ["your_src_bucket/a.txt", "abtxt", false],
    ["*", "anything", true],
  ])("%j ignores %j: %s", (pattern, key, expected) => {
    expect(isIgnored(migration("", "", { ignore: [pattern] }), key)).toBe(expected);
  });

  it("include keeps only matching keys; ignore wins over include", () => {
    const m = migration("", "", { include: ["*.mp4"], ignore: ["*/draft/*"] });
    expect(isIgnored(m, "a.mp4")).toBe(false);
    expect(isIgnored(m, "a.mov")).toBe(true);
    expect(isIgnored(m, "x/draft/a.mp4")).toBe(true);
  });

  it("limits.maxObjectSize ignores larger objects", () => {
    const m = migration("", "", { limits: { maxObjectSize: 10 } });
    expect([isIgnored(m, "a", 10), isIgnored(m, "a", 11), isIgnored(m, "a")]).toEqual([false, true, false]);
  });

  it("treats an unclosed '[' literally when matching, and reports it when validating", () => {
    expect(compilePattern("b/[x").test("b/[x")).toBe(true);
    expect(patternProblem("b/[x", "b")).toMatch(/^unclosed '\['/);
    expect(patternProblem("*.jpg", "b")).toBeUndefined();
    expect(patternProblem("your_src_bucket/your_*", "your_src_bucket")).toBeUndefined();
    expect(patternProblem("*/readme.md", "b")).toBeUndefined();
  });
});
