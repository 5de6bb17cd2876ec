import { describe, expect, it } from "vitest";
import { verdictOf } from "../../../worker/src/runner/index.js";
import type { CopyResult } from "../../../worker/src/transfer/index.js";

const result = (over: Partial<Omit<CopyResult, "retries">>): CopyResult => ({
  status: "failed",
  bytes: 0,
  partsTotal: 1,
  partsReused: 0,
  retries: 0,
  durationMs: 1,
  ...over,
});

describe("what a worker does after an attempt", () => {
  it.each([
    ["copied", {}, 1, false, "done"],
    ["identical", {}, 1, false, "done"],
    ["source-missing", {}, 1, false, "skipped"],
    ["source-changed", {}, 1, false, "skipped"],
    ["failed", { retryable: true, error: "SlowDown" }, 1, false, "retry"],
    ["failed", { retryable: true, error: "SlowDown" }, 5, false, "dead"],
    ["failed", { retryable: false, error: "AccessDenied" }, 1, false, "dead"],
    ["failed", { retryable: true, error: "Aborted" }, 1, true, "stopped"],
  ] as const)("%s %o after %i failures (stopping: %s) → %s", (status, over, attempt, stopping, kind) => {
    expect(verdictOf(result({ status, ...over }), attempt, 5, stopping).kind).toBe(kind);
  });

  it("says how many failed attempts were spent when it gives up", () => {
    const v = verdictOf(result({ retryable: true, error: "InternalError: boom" }), 5, 5, false);
    expect(v.kind === "dead" && v.reason).toBe("gave up after 5 failed attempts: InternalError: boom");
  });

  it("treats a job timeout that moved bytes as an interruption, and one that moved nothing as a failure", () => {
    const timedOut = { retryable: true, error: "copy did not finish within 3600 s", errorCode: "JobTimeout" };
    expect(verdictOf(result({ ...timedOut, bytes: 8 << 20 }), 0, 5, false).kind).toBe("stopped");
    expect(verdictOf(result({ ...timedOut, bytes: 0 }), 1, 5, false).kind).toBe("retry");
  });
});
