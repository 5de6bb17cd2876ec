import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import {
  countsOf,
  MigrateProgress,
  type ProgressCounts,
} from "../../../worker/src/cli/commands/migrate-progress.js";

const totals = (done: number, pending: number, failed = 0, skipped = 0) => ({
  total: done + pending + failed + skipped,
  done,
  pending,
  failed,
  skipped,
  deleted: 0,
});

/** A progress writing JSON lines to memory, on a clock the test moves, over counts the test sets. */
function captured(first: ProgressCounts) {
  const stream = new PassThrough();
  let out = "";
  stream.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const clock = { now: 0 };
  let counts = first;
  const progress = new MigrateProgress({
    counts: async () => counts,
    tty: false,
    stream,
    intervalMs: 60_000,
    now: () => clock.now,
  });
  const lastLine = () => JSON.parse(out.trim().split("\n").at(-1) ?? "{}") as Record<string, unknown>;
  return { progress, clock, lastLine, set: (c: ProgressCounts) => (counts = c) };
}

describe("migrate progress", () => {
  it("shows the ledger's counts, and a rate of bytes sent only (not parts reused, not identical objects)", async () => {
    const { progress: p, clock, lastLine, set } = captured({ objects: totals(0, 3), bytes: totals(0, 300) });
    clock.now = 5000;
    // the rate counts from the first copy, not from the start of the listing
    p.onTransfer({
      type: "copy_planned",
      key: "k",
      bytesTotal: 150,
      partsTotal: 2,
      partSize: 100,
      multipart: true,
    });
    clock.now = 7000;
    p.onTransfer({ type: "parts_reused", count: 1, bytes: 100 });
    p.onTransfer({ type: "part_downloaded", partNumber: 2, bytes: 50 });
    p.onTransfer({ type: "part_uploaded", partNumber: 2, bytes: 50, uploadId: "u" });
    p.onTransfer({ type: "object_put", bytes: 50 });
    // one copied (100 reused + 50 sent), one identical at the destination (nothing sent), one failed
    set({ objects: totals(2, 0, 1), bytes: totals(250, 0, 50) });
    await p.stop();
    expect(lastLine()).toEqual({
      type: "progress",
      objects: { total: 3, done: 2, pending: 0, failed: 1, skipped: 0, deleted: 0 },
      bytes: { total: 300, done: 250, pending: 0, failed: 50, skipped: 0, deleted: 0 },
      bytesSent: 100,
      bytesPerSecond: 50,
      etaSeconds: 0,
    });
  });

  it("grows its totals as the compare queues more (they are the ledger's)", async () => {
    const { progress: p, clock, lastLine, set } = captured({ objects: totals(0, 1), bytes: totals(0, 100) });
    p.onTransfer({
      type: "copy_planned",
      key: "k",
      bytesTotal: 100,
      partsTotal: 1,
      partSize: 100,
      multipart: false,
    });
    clock.now = 1000;
    p.onTransfer({ type: "object_put", bytes: 100 });
    set({ objects: totals(1, 2), bytes: totals(100, 400) });
    await p.stop();
    expect(lastLine()).toMatchObject({
      objects: { done: 1, total: 3 },
      bytes: { done: 100, total: 500 },
      etaSeconds: 4,
    });
  });

  it("adds up several migrations the way the report lists them", () => {
    const a = { objects: totals(1, 2), bytes: totals(10, 20) };
    const b = { objects: totals(3, 0, 1, 1), bytes: totals(30, 0, 5, 5) };
    expect(countsOf([a, b])).toEqual({
      objects: { total: 8, done: 4, pending: 2, failed: 1, skipped: 1, deleted: 0 },
      bytes: { total: 70, done: 40, pending: 20, failed: 5, skipped: 5, deleted: 0 },
    });
  });
});
