import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import {
  type CopyRecords,
  compareListingChunks,
  type ListRequest,
  memoryLister,
  type ObjectLister,
} from "../../../worker/src/compare/index.js";
import { normalizeMigration } from "../../../worker/src/config/index.js";

/**
 * A lister that, like the AWS SDK, listens to the request's signal while the request is in
 * flight (the retry strategy, the HTTP handler and the connection each add one listener).
 */
function sdkLikeLister(inner: ObjectLister, seen: number[]): ObjectLister {
  return {
    async listPage(req: ListRequest) {
      const listeners = [() => {}, () => {}, () => {}];
      for (const l of listeners) req.signal?.addEventListener("abort", l, { once: true });
      if (req.signal) seen.push(getEventListeners(req.signal, "abort").length);
      await new Promise((r) => setTimeout(r, 5));
      for (const l of listeners) req.signal?.removeEventListener("abort", l);
      return inner.listPage(req);
    },
  };
}

describe("a compare with many partitions in flight", () => {
  it("never piles more than a few abort listeners on one signal (no MaxListenersExceededWarning)", async () => {
    const keys = Array.from({ length: 40 }, (_, p) => `p${String(p).padStart(2, "0")}/o.txt`);
    const objects = keys.map((key) => ({ key, size: 1, etag: `e-${key}` }));
    const seen: number[] = [];
    const lister = sdkLikeLister(memoryLister({ src: objects, dst: objects.slice(0, 20) }), seen);
    const recordSignals: number[] = [];
    const copyRecords: CopyRecords = {
      async copiedFrom(_m, _keys, signal) {
        const l = () => {};
        signal?.addEventListener("abort", l);
        if (signal) recordSignals.push(getEventListeners(signal, "abort").length);
        await new Promise((r) => setTimeout(r, 5));
        signal?.removeEventListener("abort", l);
        return new Map();
      },
    };
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on("warning", onWarning);
    try {
      const m = normalizeMigration({
        name: "m",
        source: { bucket: "src", region: "us-east-1" },
        destination: { bucket: "dst", region: "cn-northwest-1", credentials: { profile: "cn" } },
      });
      const abort = new AbortController();
      const chunks = compareListingChunks(m, {
        sourceLister: lister,
        destinationLister: lister,
        copyRecords,
        parallelism: 16,
        signal: abort.signal,
      });
      let items = 0;
      for await (const chunk of chunks) items += chunk.length;
      expect(items).toBe(40);
      // let a warning emitted on the last tick arrive
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off("warning", onWarning);
    }
    expect(warnings.map((w) => w.name)).not.toContain("MaxListenersExceededWarning");
    expect(Math.max(...seen)).toBeLessThanOrEqual(4);
    expect(Math.max(...recordSignals)).toBeLessThanOrEqual(2);
  });
});
