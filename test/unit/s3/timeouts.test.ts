import { describe, expect, it } from "vitest";
import { s3ClientSettings } from "../../../worker/src/s3/index.js";
import { defaultSettings, resolveSettings } from "../../../worker/src/settings/index.js";

describe("the S3 timeouts settings", () => {
  it("bound connect, first byte and idle time by default, so a silent endpoint fails within 2 minutes", () => {
    expect(s3ClientSettings(defaultSettings)).toEqual({
      maxAttempts: 20,
      connectionTimeoutMs: 10_000,
      firstByteTimeoutMs: 30_000,
      socketTimeoutMs: 120_000,
    });
    // three attempts of at most one first-byte timeout each, plus sub-second backoff
    expect(3 * defaultSettings.firstByteTimeoutMs).toBeLessThan(120_000);
  });

  it("are read from their LONGBOW_* variables and checked, naming the variable", () => {
    const s = resolveSettings({
      LONGBOW_CONNECT_TIMEOUT_MS: "2500",
      LONGBOW_FIRST_BYTE_TIMEOUT_MS: "4000",
      LONGBOW_IDLE_TIMEOUT_MS: "60000",
    });
    expect([s.connectTimeoutMs, s.firstByteTimeoutMs, s.idleTimeoutMs]).toEqual([2500, 4000, 60000]);
    expect(() => resolveSettings({ LONGBOW_FIRST_BYTE_TIMEOUT_MS: "soon" })).toThrow(
      "LONGBOW_FIRST_BYTE_TIMEOUT_MS must be a positive whole number, got 'soon'",
    );
    expect(() => resolveSettings({ LONGBOW_CONNECT_TIMEOUT_MS: "5" })).toThrow(
      "connectTimeoutMs must be a whole number between 100 and 600000, got 5",
    );
  });
});
