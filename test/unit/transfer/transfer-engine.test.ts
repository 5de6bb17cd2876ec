import { describe, expect, it } from "vitest";
import { defaultSettings } from "../../../worker/src/settings/index.js";
import { TransferEngine } from "../../../worker/src/transfer/index.js";

const MiB = 1024 * 1024;

/** Records how many copies of each kind run at once; each holds until released. */
function recorder() {
  const running: Record<string, number> = {};
  const peak: Record<string, number> = {};
  const waiting: (() => void)[] = [];
  const copy = (kind: string) => async () => {
    running[kind] = (running[kind] ?? 0) + 1;
    peak[kind] = Math.max(peak[kind] ?? 0, running[kind] ?? 0);
    await new Promise<void>((r) => waiting.push(r));
    running[kind] = (running[kind] ?? 1) - 1;
  };
  /** Lets every copy started so far finish, until none is left. */
  const drain = async (all: Promise<unknown>) => {
    let settled = false;
    void all.then(() => {
      settled = true;
    });
    while (!settled) {
      for (const r of waiting.splice(0)) r();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { copy, peak, drain };
}

describe("TransferEngine", () => {
  const settings = { ...defaultSettings, filesInParallel: 2, partsInParallel: 4 };

  it("holds multipart copies to filesInParallel but lets small ones fill the pool", async () => {
    const engine = new TransferEngine({ settings });
    const r = recorder();
    const lane = { migration: "m", partsInParallel: 4 };
    const runs = [
      ...Array.from({ length: 6 }, () => engine.run(64 * MiB, lane, r.copy("large"))),
      ...Array.from({ length: 30 }, () => engine.run(64 * 1024, lane, r.copy("small"))),
    ];
    await r.drain(Promise.all(runs));
    expect(r.peak.large).toBe(2);
    expect(r.peak.small).toBe(8); // the pool: 2 files × 4 parts
    expect(engine.pool.concurrency).toBe(8);
  });

  it("keeps each migration to its own limits.filesInParallel", async () => {
    const engine = new TransferEngine({ settings: { ...settings, filesInParallel: 10 } });
    const r = recorder();
    const narrow = { migration: "narrow", filesInParallel: 1, partsInParallel: 4 };
    const wide = { migration: "wide", partsInParallel: 4 };
    const runs = [
      ...Array.from({ length: 5 }, () => engine.run(64 * 1024, narrow, r.copy("narrow"))),
      ...Array.from({ length: 5 }, () => engine.run(64 * 1024, wide, r.copy("wide"))),
    ];
    await r.drain(Promise.all(runs));
    expect(r.peak.narrow).toBe(1);
    expect(r.peak.wide).toBe(5);
  });

  it("admits the next part range once the running one drains, not before", async () => {
    const engine = new TransferEngine({ settings: { ...settings, filesInParallel: 1, partsInParallel: 2 } });
    const lane = { migration: "m", partsInParallel: 2, multipart: true };
    let woken = 0;
    engine.onRoomFreed(() => woken++);
    let drain!: () => void;
    let end!: () => void;
    const first = engine.tryRun(16 * 8 * MiB, lane, (draining) => {
      drain = draining;
      return new Promise<void>((r) => {
        end = r;
      });
    });
    expect(first).toBeDefined();
    // its two connections are taken: a second range cannot start
    expect(engine.tryRun(16 * 8 * MiB, lane, async () => {})).toBeUndefined();
    expect(engine.declined).toBe(true);
    expect(woken).toBe(0);
    // its last part has started: room for the next range, while the first has not ended
    drain();
    drain();
    expect(woken).toBe(1);
    expect(engine.declined).toBe(false);
    let secondRan = false;
    const second = engine.tryRun(16 * 8 * MiB, lane, async () => {
      secondRan = true;
    });
    expect(second).toBeDefined();
    await second;
    expect(secondRan).toBe(true);
    // the first range's share was given back once: one range fills the worker again
    const third = engine.tryRun(16 * 8 * MiB, lane, () => new Promise<void>(() => {}));
    expect(third).toBeDefined();
    expect(engine.tryRun(16 * 8 * MiB, lane, async () => {})).toBeUndefined();
    end();
    await first;
    expect(engine.tryRun(16 * 8 * MiB, lane, async () => {})).toBeUndefined();
  });
});
