import { describe, expect, it } from "vitest";
import { defaultSettings, resolveSettings, SettingsError } from "../../../worker/src/settings/index.js";

describe("send concurrency setting", () => {
  it("defaults to 16 requests in flight, and LONGBOW_SEND_CONCURRENCY changes it", () => {
    expect(defaultSettings.sendConcurrency).toBe(16);
    expect(resolveSettings({}).sendConcurrency).toBe(16);
    expect(resolveSettings({ LONGBOW_SEND_CONCURRENCY: "64" }).sendConcurrency).toBe(64);
  });

  it("refuses what is not a whole number from 1 to 500, naming the variable", () => {
    for (const bad of ["0", "-3", "2.5", "many", "501"]) {
      expect(() => resolveSettings({ LONGBOW_SEND_CONCURRENCY: bad }), bad).toThrow(SettingsError);
    }
    expect(() => resolveSettings({ LONGBOW_SEND_CONCURRENCY: "x" })).toThrow(/LONGBOW_SEND_CONCURRENCY/);
  });
});
