import type { PaceClock } from "../../../worker/src/bandwidth/index.js";

/** A clock whose time moves only when something sleeps on it: waits are counted, never spent. */
export function simulatedClock(start = 0): PaceClock & { sleeps: number[]; advance(ms: number): void } {
  let now = start;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleeps,
    advance(ms) {
      now += ms;
    },
    sleep: async (ms, signal) => {
      sleeps.push(ms);
      now += ms;
      if (signal?.aborted) throw signal.reason;
    },
  };
}
