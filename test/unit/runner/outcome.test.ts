import { describe, expect, it } from "vitest";
import { jobMetricsOf, settlementOf, type Verdict } from "../../../worker/src/runner/index.js";
import type { CopyResult } from "../../../worker/src/transfer/index.js";

const result: CopyResult = {
  status: "copied",
  bytes: 42,
  partsTotal: 1,
  partsReused: 0,
  retries: 0,
  durationMs: 1,
};
const done: Verdict = { kind: "done", result };
const retry = (failures: number): Verdict => ({
  kind: "retry",
  reason: "SlowDown",
  result: { ...result, status: "failed", bytes: 7 },
  failures,
});
const dead: Verdict = { kind: "dead", reason: "AccessDenied" };
const stopped: Verdict = { kind: "stopped" };

describe("what becomes of a message after its jobs", () => {
  it.each([
    ["done", [done], { action: "delete" }],
    ["done and a first failure", [done, retry(1)], { action: "release", delaySeconds: 5 }],
    ["a third failure", [retry(3)], { action: "release", delaySeconds: 20 }],
    ["a twentieth failure", [retry(20)], { action: "release", delaySeconds: 900 }],
    ["dead and a first failure", [dead, retry(1)], { action: "release", delaySeconds: 5 }],
    ["an interruption beside a failure", [retry(4), stopped], { action: "put-back" }],
    ["done and dead", [done, dead], { action: "dead-letter", reason: "AccessDenied" }],
  ] as const)("%s → %o", (_what, verdicts, expected) => {
    expect(settlementOf(verdicts, 5)).toEqual(expected);
  });

  it("counts bytes moved by any attempt, objects copied only when done, failed only when dead", () => {
    const j = { migration: "m", source: { bucket: "s", key: "k" }, destination: { bucket: "d", key: "k" } };
    expect(jobMetricsOf(j, done, 9)).toEqual({
      migration: "m",
      bytesCopied: 42,
      objectsCopied: 1,
      objectsFailed: 0,
      durationMs: 9,
    });
    expect(jobMetricsOf(j, retry(1), 1)).toMatchObject({
      bytesCopied: 7,
      objectsCopied: 0,
      objectsFailed: 0,
    });
    expect(jobMetricsOf(j, dead, 1)).toMatchObject({ bytesCopied: 0, objectsFailed: 1 });
  });
});
