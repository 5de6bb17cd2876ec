import { describe, expect, it } from "vitest";
import { defaultSettings, resolveSettings, SettingsError } from "../../../worker/src/settings/index.js";

const KiB = 1024;
const MiB = 1024 * KiB;

describe("smallest part the destination accepts (LONGBOW_MIN_PART_SIZE_KB)", () => {
  it("defaults to S3's 5 MiB and is given in KiB", () => {
    expect(defaultSettings.minPartSize).toBe(5 * MiB);
    expect(resolveSettings({}).minPartSize).toBe(5 * MiB);
    expect(resolveSettings({ LONGBOW_MIN_PART_SIZE_KB: "64" }).minPartSize).toBe(64 * KiB);
  });

  it("refuses what is not a whole number of KiB from 1 KiB to 5 GiB, naming the variable", () => {
    for (const bad of ["0", "-1", "1.5", "small", String(5 * MiB + 1)]) {
      expect(() => resolveSettings({ LONGBOW_MIN_PART_SIZE_KB: bad }), bad).toThrow(SettingsError);
    }
    expect(() => resolveSettings({ LONGBOW_MIN_PART_SIZE_KB: "x" })).toThrow(/LONGBOW_MIN_PART_SIZE_KB/);
  });

  it("bounds a fixed part size from below instead of S3's 5 MiB, and the byte budget holds one part", () => {
    // a fixed 1 MiB part is refused against S3 and accepted where 64 KiB parts are
    expect(() => resolveSettings({ LONGBOW_PART_SIZE_MB: "1" })).toThrow(/minPartSize/);
    expect(resolveSettings({ LONGBOW_PART_SIZE_MB: "1", LONGBOW_MIN_PART_SIZE_KB: "64" }).partSize).toBe(MiB);
    expect(() => resolveSettings({ LONGBOW_BYTE_BUDGET_MB: "1" })).toThrow(/at least one part/);
    expect(resolveSettings({ LONGBOW_BYTE_BUDGET_MB: "1", LONGBOW_MIN_PART_SIZE_KB: "256" }).byteBudget).toBe(
      MiB,
    );
  });
});
