import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { MigrateProgress } from "../../../worker/src/cli/commands/migrate-progress.js";

/** A progress writing JSON lines to memory, on a clock the test moves. */
function captured(objectsTotal: number, bytesTotal: number) {
  const stream = new PassThrough();
  let out = "";
  stream.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const clock = { now: 0 };
  const progress = new MigrateProgress({
    objectsTotal,
    bytesTotal,
    tty: false,
    stream,
    intervalMs: 60_000,
    now: () => clock.now,
  });
  const lastLine = () => JSON.parse(out.trim().split("\n").at(-1) ?? "{}") as Record<string, unknown>;
  return { progress, clock, lastLine };
}

describe("migrate progress without a terminal", () => {
  it("writes JSON lines with objects, bytes, rate and ETA, counting reused parts and identical objects", () => {
    const { progress: p, clock, lastLine } = captured(3, 300);
    clock.now = 2000;
    p.onTransfer({ type: "parts_reused", count: 1, bytes: 100 });
    p.onTransfer({ type: "part_downloaded", partNumber: 2, bytes: 50 });
    p.onTransfer({ type: "part_uploaded", partNumber: 2, bytes: 50, uploadId: "u" });
    p.onObjectDone();
    p.onObjectDone(100);
    p.onObjectFailed();
    p.stop();
    expect(lastLine()).toEqual({
      type: "progress",
      objectsDone: 2,
      objectsFailed: 1,
      objectsTotal: 3,
      bytesDone: 250,
      bytesTotal: 300,
      bytesPerSecond: 125,
      etaSeconds: 1,
    });
  });

  it("grows its totals as the compare queues more, keeping bytes copied before they were counted", () => {
    const { progress: p, clock, lastLine } = captured(1, 100);
    clock.now = 1000;
    p.onTransfer({ type: "object_put", bytes: 100 });
    p.onObjectDone();
    // the copy of the next batch moves bytes before the compare reports that batch
    p.onTransfer({ type: "part_uploaded", partNumber: 1, bytes: 150, uploadId: "u" });
    p.addTotals(2, 400);
    p.stop();
    expect(lastLine()).toMatchObject({ objectsDone: 1, objectsTotal: 3, bytesDone: 250, bytesTotal: 500 });
  });
});
