import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { CopyProgress } from "../../../worker/src/cli/commands/cp-progress.js";

const MiB = 1024 * 1024;
const tty = () =>
  Object.assign(new Writable({ write: (_c, _e, done) => done() }), {
    isTTY: true,
    columns: 120,
  }) as unknown as NodeJS.WriteStream;

describe("cp progress", () => {
  it("shows parts kept from an earlier run as done, but its rate and ETA count only bytes sent now", () => {
    const clock = { now: 0 };
    const bar = new CopyProgress({ stream: tty(), now: () => clock.now });
    bar.onEvent({
      type: "copy_planned",
      key: "k",
      bytesTotal: 100 * MiB,
      partsTotal: 10,
      partSize: 10 * MiB,
      multipart: true,
    });
    bar.onEvent({ type: "parts_reused", count: 8, bytes: 80 * MiB });
    clock.now = 2000;
    bar.onEvent({ type: "part_uploaded", partNumber: 9, bytes: 10 * MiB, uploadId: "u" });
    // 90 of 100 MiB there; 10 MiB sent in 2 s: 5 MiB/s, 2 s to go (not 45 MiB/s and 0 s)
    expect(bar.text()).toMatch(/90% \| 90\.0 MiB of 100\.0 MiB \| 5\.0 MiB\/s sent \| ETA 2s$/);
  });
});
