import { describe, expect, it } from "vitest";
import type { Ledger } from "../../../worker/src/ledger/index.js";
import type { Queue } from "../../../worker/src/queue/index.js";
import { RunnerOptionsError, resolveRunnerOptions } from "../../../worker/src/runner/index.js";
import { SettingsError } from "../../../worker/src/settings/index.js";

const base = {
  queue: {} as Queue,
  ledger: {} as Ledger,
  migrations: async () => [],
  clients: async () => {
    throw new Error("unused");
  },
};

describe("runner options", () => {
  it("applies the documented defaults, keeping a deliberate zero", () => {
    const o = resolveRunnerOptions({ ...base, retryBaseDelaySeconds: 0, workerId: "w" });
    expect(o).toMatchObject({
      maxAttempts: 10,
      retryBaseDelaySeconds: 0,
      waitSeconds: 20,
      stopWhenIdle: false,
    });
    expect(o.settings).toMatchObject({ filesInParallel: 5, heartbeatSeconds: 60, stopDeadlineSeconds: 90 });
  });

  it.each([
    [{ maxAttempts: 0 }, /maxAttempts/],
    [{ waitSeconds: 21 }, /waitSeconds/],
  ])("rejects %o naming the option", (bad, message) => {
    expect(() => resolveRunnerOptions({ ...base, ...bad })).toThrow(message);
    expect(() => resolveRunnerOptions({ ...base, ...bad })).toThrow(RunnerOptionsError);
  });

  // settings given as a partial go through the settings table's one validation
  it.each([
    [{ heartbeatSeconds: 0 }, /heartbeatSeconds/],
    [{ filesInParallel: 1.5 }, /filesInParallel/],
  ])("rejects settings %o as the settings table does", (bad, message) => {
    expect(() => resolveRunnerOptions({ ...base, settings: bad })).toThrow(message);
    expect(() => resolveRunnerOptions({ ...base, settings: bad })).toThrow(SettingsError);
  });
});
