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
function sdkLikeLister(
  inner: ObjectLister,
  seen: number[],
  inFlight: { now: number; peak: number },
): ObjectLister {
  return {
    async listPage(req: ListRequest) {
      const listeners = [() => {}, () => {}, () => {}];
      for (const l of listeners) req.signal?.addEventListener("abort", l, { once: true });
      if (req.signal) seen.push(getEventListeners(req.signal, "abort").length);
      inFlight.peak = Math.max(inFlight.peak, ++inFlight.now);
      // in flight until the next turn of the event loop: requests started together overlap
      await turn();
      inFlight.now--;
      for (const l of listeners) req.signal?.removeEventListener("abort", l);
      return inner.listPage(req);
    },
  };
}

const turn = () => new Promise((r) => setImmediate(r));

describe("a compare with many partitions in flight", () => {
  it("never piles more than a few abort listeners on one signal (past 10, Node warns of a leak)", async () => {
    const keys = Array.from({ length: 40 }, (_, p) => `p${String(p).padStart(2, "0")}/o.txt`);
    const objects = keys.map((key) => ({ key, size: 1, etag: `e-${key}` }));
    const seen: number[] = [];
    const inFlight = { now: 0, peak: 0 };
    const lister = sdkLikeLister(memoryLister({ src: objects, dst: objects.slice(0, 20) }), seen, inFlight);
    const recordSignals: number[] = [];
    const copyRecords: CopyRecords = {
      async copiedFrom(_m, _keys, signal) {
        const l = () => {};
        signal?.addEventListener("abort", l);
        if (signal) recordSignals.push(getEventListeners(signal, "abort").length);
        await turn();
        signal?.removeEventListener("abort", l);
        return new Map();
      },
    };
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
    // Counted on the signals themselves: Node 22 sets no listener limit on a plain AbortSignal, so
    // a warning listener would stay silent here. Enough requests were in flight at once that one
    // signal shared by them would have held more than 10.
    expect(inFlight.peak * 3).toBeGreaterThan(10);
    expect(Math.max(...seen)).toBeLessThanOrEqual(4);
    expect(Math.max(...recordSignals)).toBeLessThanOrEqual(2);
  });
});
