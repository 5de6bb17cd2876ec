import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CompareOptionsError,
  type CopyRecords,
  compareKeys,
  compareListings,
  type DiffItem,
  type ListedObject,
  memoryLister,
  type ObjectLister,
  OutOfOrderListingError,
  toJob,
} from "../../../worker/src/compare/index.js";
import { type Migration, normalizeMigration } from "../../../worker/src/config/index.js";

function migration(over: Partial<Migration> = {}, srcPrefix = "", dstPrefix = ""): Migration {
  return {
    ...normalizeMigration({
      name: "m",
      source: { bucket: "src", prefix: srcPrefix, region: "us-east-1" },
      destination: {
        bucket: "dst",
        prefix: dstPrefix,
        region: "cn-northwest-1",
        storageClass: "STANDARD_IA",
      },
      // these cases exercise size mode unless they say otherwise (the default is etag)
      compare: "size",
    }),
    ...over,
  };
}

async function collect(it: AsyncIterable<DiffItem>): Promise<DiffItem[]> {
  const out: DiffItem[] = [];
  for await (const x of it) out.push(x);
  return out.sort((a, b) => compareKeys(a.destinationKey, b.destinationKey));
}

const obj = (key: string, size = 1, etag = `e-${key}`): ListedObject => ({ key, size, etag });

describe("compare classifies every key", () => {
  const src = [
    obj("a/1"),
    obj("a/2", 5),
    obj("a/3"),
    obj("b.tmp"),
    obj("c/x", 1, "same"),
    obj("c/y", 2, "p"),
  ];
  const dst = [obj("a/2", 4), obj("a/3"), obj("c/x", 1, "same"), obj("c/y", 2, "q"), obj("z/only")];
  const listers = { sourceLister: memoryLister({ src }), destinationLister: memoryLister({ dst }) };

  it("size mode: new, changed by size, identical, ignored, extra", async () => {
    const m = migration({ ignore: ["*.tmp"] });
    const kinds = (await collect(compareListings(m, listers))).map((i) => `${i.kind} ${i.destinationKey}`);
    expect(kinds).toEqual([
      "new a/1",
      "changed a/2",
      "identical a/3",
      "ignored b.tmp",
      "identical c/x",
      "identical c/y",
      "extra z/only",
    ]);
  });

  it("etag mode: same size and different ETag is changed unless provenance vouches for it", async () => {
    const m = migration({ compare: "etag" });
    const noRecords = await collect(compareListings(m, listers));
    expect(noRecords.find((i) => i.destinationKey === "c/y")?.kind).toBe("changed");
    const asked: string[][] = [];
    const copyRecords: CopyRecords = {
      async copiedFrom(name, keys) {
        expect(name).toBe("m");
        asked.push(keys);
        return new Map([["c/y", { sourceEtag: "p" }]]);
      },
    };
    const withRecords = await collect(compareListings(m, { ...listers, copyRecords }));
    expect(withRecords.find((i) => i.destinationKey === "c/y")?.kind).toBe("identical");
    expect(withRecords.find((i) => i.destinationKey === "a/2")?.kind).toBe("changed");
    expect(asked.flat().sort()).toEqual(["c/y"]);
  });

  it("version mode: recorded versionId decides", async () => {
    const s = [
      { ...obj("k"), versionId: "v2" },
      { ...obj("l"), versionId: "v1" },
    ];
    const d = [obj("k"), obj("l")];
    const copyRecords: CopyRecords = {
      copiedFrom: async () =>
        new Map([
          ["k", { sourceVersionId: "v1", sourceEtag: "e-k" }],
          ["l", { sourceVersionId: "v1" }],
        ]),
    };
    const items = await collect(
      compareListings(migration({ compare: "version" }), {
        sourceLister: memoryLister({ src: s }),
        destinationLister: memoryLister({ dst: d }),
        copyRecords,
      }),
    );
    expect(items.map((i) => `${i.kind} ${i.destinationKey} ${i.versionId}`)).toEqual([
      "changed k v2",
      "identical l v1",
    ]);
  });

  it("maps keys between prefixes and ignores by bucket/key", async () => {
    const m = migration({ ignore: ["src/in/skip*"] }, "in/", "out/");
    const items = await collect(
      compareListings(m, {
        sourceLister: memoryLister({ src: [obj("in/a"), obj("in/skip-me"), obj("other")] }),
        destinationLister: memoryLister({ dst: [obj("out/a"), obj("elsewhere")] }),
      }),
    );
    expect(items.map((i) => `${i.kind} ${i.sourceKey ?? "-"} ${i.destinationKey}`)).toEqual([
      "identical in/a out/a",
      "ignored in/skip-me out/skip-me",
    ]);
  });

  it("turns new and changed items into jobs with size, ETag, version and storage class", () => {
    const m = migration({}, "in/", "out/");
    expect(
      toJob(m, {
        kind: "new",
        sourceKey: "in/a",
        destinationKey: "out/a",
        size: 3,
        etag: "x",
        versionId: "v",
      }),
    ).toEqual({
      migration: "m",
      source: { bucket: "src", key: "in/a", size: 3, etag: "x", versionId: "v" },
      destination: { bucket: "dst", key: "out/a", storageClass: "STANDARD_IA", tags: "copy" },
    });
    expect(
      toJob(m, { kind: "identical", sourceKey: "in/a", destinationKey: "out/a", size: 3 }),
    ).toBeUndefined();
    expect(toJob(m, { kind: "extra", destinationKey: "out/b", size: 3 })).toBeUndefined();
  });
});

describe("compare refuses what it cannot diff", () => {
  it("reports keys listed out of order instead of mis-diffing", async () => {
    const unsorted: ObjectLister = {
      listPage: async (req) =>
        req.token === undefined
          ? { objects: [obj("b")], commonPrefixes: [], nextToken: "1" }
          : { objects: [obj("a")], commonPrefixes: [] },
    };
    const run = collect(
      compareListings(migration(), { sourceLister: unsorted, destinationLister: memoryLister({}), depth: 0 }),
    );
    await expect(run).rejects.toThrow(OutOfOrderListingError);
    await expect(run).rejects.toThrow(/returned 'a' after 'b'/);
  });

  it("names the option when tuning is out of range", async () => {
    const run = collect(
      compareListings(migration(), {
        sourceLister: memoryLister({}),
        destinationLister: memoryLister({}),
        parallelism: 0,
      }),
    );
    await expect(run).rejects.toThrow(CompareOptionsError);
    await expect(run).rejects.toThrow(/^parallelism must be/);
  });

  it("stops listing when aborted", async () => {
    const ac = new AbortController();
    ac.abort();
    const run = collect(
      compareListings(migration(), {
        sourceLister: memoryLister({ src: [obj("a")] }),
        destinationLister: memoryLister({}),
        signal: ac.signal,
      }),
    );
    await expect(run).rejects.toThrow(/aborted/);
  });
});

describe("stopping early", () => {
  it("stops listing when the consumer breaks out of the loop", async () => {
    const keys = Array.from({ length: 5000 }, (_, i) => obj(`p${i % 50}/k${String(i).padStart(5, "0")}`));
    const inner = memoryLister({ src: keys }, { pageSize: 10 });
    let pages = 0;
    const inFlight = new Set<Promise<unknown>>();
    const counting: ObjectLister = {
      listPage: (req) => {
        pages++;
        const page = inner.listPage(req);
        inFlight.add(page);
        const forget = () => inFlight.delete(page);
        page.then(forget, forget);
        return page;
      },
    };
    /** Waits until no page is in flight and none was asked for since: the listing has come to rest. */
    const atRest = async () => {
      for (;;) {
        const before = pages;
        await Promise.allSettled([...inFlight]);
        await new Promise((r) => setImmediate(r));
        if (inFlight.size === 0 && pages === before) return;
      }
    };
    const options = {
      sourceLister: counting,
      destinationLister: memoryLister({}),
      parallelism: 2,
      chunkSize: 5,
    };
    const m = migration();
    // the whole listing, read to the end, takes hundreds of pages: the counter sees them
    let all = 0;
    for await (const _ of compareListings(m, options)) all++;
    await atRest();
    expect(all).toBe(5000);
    expect(pages).toBeGreaterThanOrEqual(500);
    pages = 0;
    for await (const item of compareListings(m, options)) {
      expect(item.kind).toBe("new");
      break;
    }
    // a listing that went on after the break would be asked for more pages while coming to rest
    await atRest();
    expect(pages).toBeLessThan(50);
  });
});

describe("parallel listing", () => {
  // few characters, so that generated keys collide and sit right around partition boundaries
  const segment = fc.stringMatching(/^[a/._\-\u00e9\u{1F600}]{0,4}$/u);
  const keySet = fc.uniqueArray(
    segment.filter((k) => k.length > 0),
    { maxLength: 40 },
  );

  it("gives exactly the sequential result for any key sets, depths and page sizes", async () => {
    await fc.assert(
      fc.asyncProperty(
        keySet,
        keySet,
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom("", "a", "a/"),
        async (srcKeys, dstKeys, depth, pageSize, prefix) => {
          const m = migration({ ignore: ["src/*_*"] }, prefix, prefix);
          const sourceLister = memoryLister(
            { src: srcKeys.map((k) => obj(prefix + k, k.length % 2)) },
            { pageSize },
          );
          const destinationLister = memoryLister({ dst: dstKeys.map((k) => obj(prefix + k)) }, { pageSize });
          const sequential = await collect(compareListings(m, { sourceLister, destinationLister, depth: 0 }));
          const parallel = await collect(
            compareListings(m, { sourceLister, destinationLister, depth, parallelism: 3, chunkSize: 2 }),
          );
          expect(parallel).toEqual(sequential);
          const sources = sequential.filter((i) => i.kind !== "extra").length;
          expect(sources).toBe(new Set(srcKeys).size);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe("key order", () => {
  it("is UTF-8 byte order, as S3 lists, not UTF-16 order", () => {
    const keys = ["b", "a/", "\u{1F600}", "\uFF5E", "a", "é", "a0", ""];
    const utf8 = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect([...keys].sort(compareKeys)).toEqual(utf8);
    expect(["\u{1F600}", "\uFF5E"].sort()).not.toEqual(
      utf8.filter((k) => k === "\u{1F600}" || k === "\uFF5E"),
    );
  });
});
