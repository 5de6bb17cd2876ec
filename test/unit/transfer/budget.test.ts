import { describe, expect, it } from "vitest";
import { ByteBudget, partBytesOf, TransferPool } from "../../../worker/src/transfer/index.js";
import { Semaphore } from "../../../worker/src/transfer/semaphore.js";

const tick = () => new Promise((r) => setImmediate(r));

describe("partBytesOf", () => {
  it("keeps a quarter of the budget, at most 128 MiB, for bytes awaiting the garbage collector", () => {
    const MiB = 1024 * 1024;
    expect(partBytesOf(512 * MiB)).toBe(384 * MiB);
    expect(partBytesOf(16 * 1024 * MiB)).toBe(16 * 1024 * MiB - 128 * MiB);
    expect(partBytesOf(64 * MiB)).toBe(48 * MiB);
    expect(partBytesOf(1)).toBe(1);
  });

  it("is the capacity of a process's budget", () => {
    expect(ByteBudget.forProcess(512 * 1024 * 1024).capacity).toBe(partBytesOf(512 * 1024 * 1024));
  });
});

describe("ByteBudget", () => {
  it("never lets more bytes in flight than its capacity, whatever the mix of requests", async () => {
    const budget = new ByteBudget(100);
    let peak = 0;
    const sizes = [30, 70, 50, 10, 90, 40, 60, 20, 100, 5];
    await Promise.all(
      sizes.map(async (n, i) => {
        const release = await budget.acquire(n);
        peak = Math.max(peak, budget.inUse);
        for (let t = 0; t < (i % 3) + 1; t++) await tick();
        release();
      }),
    );
    expect(peak).toBeLessThanOrEqual(100);
    expect(budget.inUse).toBe(0);
  });

  it("serves waiters in arrival order, so a large request is not starved by small ones", async () => {
    const budget = new ByteBudget(10);
    const first = await budget.acquire(8);
    const order: string[] = [];
    const noting = (name: string) => (release: () => void) => {
      order.push(name);
      return release;
    };
    const big = budget.acquire(10).then(noting("big"));
    const small = budget.acquire(1).then(noting("small"));
    await tick();
    expect(order).toEqual([]);
    first();
    (await big)();
    (await small)();
    expect(order).toEqual(["big", "small"]);
  });

  it("grants a request larger than the whole budget once it is idle", async () => {
    const budget = new ByteBudget(10);
    const release = await budget.acquire(50);
    expect(budget.inUse).toBe(10);
    release();
    release();
    expect(budget.inUse).toBe(0);
  });

  it("rejects a waiter whose signal fires and gives nothing away", async () => {
    const budget = new ByteBudget(10);
    const held = await budget.acquire(10);
    const stop = new AbortController();
    const waiting = budget.acquire(5, stop.signal);
    stop.abort();
    await expect(waiting).rejects.toMatchObject({ code: "Aborted" });
    held();
    expect(budget.inUse).toBe(0);
  });

  it("names the option when the capacity is invalid", () => {
    expect(() => new ByteBudget(0)).toThrow("byteBudget (bytes) must be a whole number >= 1");
  });
});

describe("TransferPool", () => {
  it("runs at most `concurrency` tasks at once across callers", async () => {
    const pool = new TransferPool({ concurrency: 3 });
    let running = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        pool.run(async () => {
          running++;
          peak = Math.max(peak, running);
          await tick();
          running--;
          return i;
        }),
      ),
    );
    expect(results).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(peak).toBe(3);
    expect(pool.active).toBe(0);
  });

  it("frees the slot of a task that fails", async () => {
    const pool = new TransferPool({ concurrency: 1 });
    await expect(pool.run(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await pool.run(async () => "next")).toBe("next");
  });

  it("names the option when the concurrency is invalid", () => {
    expect(() => new TransferPool({ concurrency: 0 })).toThrow("TransferPoolOptions.concurrency");
  });

  it("says when a slot would idle, and wakes a listener when one is given back", async () => {
    const pool = new TransferPool({ concurrency: 2 });
    expect(pool.hasIdleSlot).toBe(true);
    let finish: () => void = () => {};
    const held = new Promise<void>((r) => {
      finish = r;
    });
    const a = pool.run(() => held);
    const b = pool.run(() => held);
    await tick();
    expect(pool.hasIdleSlot).toBe(false);
    let woken = false;
    const wake = pool.nextRelease().then(() => {
      woken = true;
    });
    await tick();
    expect(woken).toBe(false);
    finish();
    await Promise.all([a, b, wake]);
    expect(woken).toBe(true);
    expect(pool.hasIdleSlot).toBe(true);
  });

  it("stops waiting for a slot when the signal fires", async () => {
    const pool = new TransferPool({ concurrency: 1 });
    const abort = new AbortController();
    const wait = pool.nextRelease(abort.signal);
    abort.abort();
    await expect(wait).rejects.toMatchObject({ name: "AbortError" });
  });
});

describe("Semaphore.tryAcquire", () => {
  it("takes free units at once, and nothing when it would have to wait or someone waits", async () => {
    const sem = new Semaphore(2);
    const one = sem.tryAcquire(1);
    expect(one).toBeDefined();
    expect(sem.tryAcquire(2)).toBeUndefined();
    const queued = sem.acquire(2);
    await tick();
    // a free unit is not taken past a waiter
    expect(sem.tryAcquire(1)).toBeUndefined();
    one?.();
    const release = await queued;
    expect(sem.used).toBe(2);
    release();
    expect(sem.tryAcquire(2)).toBeDefined();
  });
});
