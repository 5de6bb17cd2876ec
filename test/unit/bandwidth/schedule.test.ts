import { describe, expect, it } from "vitest";
import {
  type BandwidthLimit,
  type BandwidthLimitsFile,
  compileBandwidth,
  timeZoneProblem,
} from "../../../worker/src/bandwidth/index.js";

const MB = 1e6;

function compiled(limits: BandwidthLimitsFile): BandwidthLimit {
  const { problems, limit } = compileBandwidth(limits);
  expect(problems).toEqual([]);
  if (limit === undefined) throw new Error("no limit");
  return limit;
}

const problemsOf = (limits: BandwidthLimitsFile) => compileBandwidth(limits).problems;

// weekdays 09:00–18:00 Shanghai at 50 MB/s, otherwise unlimited (the example)
const businessHours: BandwidthLimitsFile = {
  bandwidthSchedule: {
    timeZone: "Asia/Shanghai",
    windows: [{ days: "weekdays", from: "09:00", to: "18:00", bandwidth: "50MB/s" }],
  },
};

describe("a schedule's limit at an instant", () => {
  it("switches at the window's edges, in the zone's local time", () => {
    const l = compiled(businessHours);
    // Wednesday 2027-03-10; Shanghai is UTC+8 all year
    expect(l.limitAt(Date.parse("2027-03-10T00:59:59Z"))).toBeUndefined(); // 08:59:59 local
    expect(l.limitAt(Date.parse("2027-03-10T01:00:00Z"))).toBe(50 * MB); // 09:00 local
    expect(l.limitAt(Date.parse("2027-03-10T09:59:59Z"))).toBe(50 * MB); // 17:59:59 local
    expect(l.limitAt(Date.parse("2027-03-10T10:00:00Z"))).toBeUndefined(); // 18:00 local
    // Saturday 10:00 local
    expect(l.limitAt(Date.parse("2027-03-13T02:00:00Z"))).toBeUndefined();
  });

  it("the day is the zone's: Monday 07:30 in Shanghai is still Sunday in UTC", () => {
    const l = compiled({
      bandwidth: "200MB/s",
      bandwidthSchedule: {
        timeZone: "Asia/Shanghai",
        windows: [{ days: ["mon"], from: "07:00", to: "08:00", bandwidth: "10MB/s" }],
      },
    });
    expect(l.limitAt(Date.parse("2027-03-14T23:30:00Z"))).toBe(10 * MB); // Sun 23:30 UTC = Mon 07:30
    expect(l.limitAt(Date.parse("2027-03-15T23:30:00Z"))).toBe(200 * MB); // Tue 07:30 local
  });

  it("follows daylight saving: 09:00 New York is 14:00 UTC in winter and 13:00 UTC in summer", () => {
    const l = compiled({
      bandwidthSchedule: {
        timeZone: "America/New_York",
        windows: [{ days: "daily", from: "09:00", to: "18:00", bandwidth: "20MB/s" }],
      },
    });
    // clocks go forward on Sunday 2027-03-14 at 02:00 local
    expect(l.limitAt(Date.parse("2027-03-13T13:30:00Z"))).toBeUndefined(); // Sat 08:30 EST
    expect(l.limitAt(Date.parse("2027-03-13T14:00:00Z"))).toBe(20 * MB); // Sat 09:00 EST
    expect(l.limitAt(Date.parse("2027-03-15T13:00:00Z"))).toBe(20 * MB); // Mon 09:00 EDT
    expect(l.limitAt(Date.parse("2027-03-15T12:59:00Z"))).toBeUndefined(); // Mon 08:59 EDT
    expect(l.limitAt(Date.parse("2027-03-15T22:00:00Z"))).toBeUndefined(); // Mon 18:00 EDT
  });

  it("a window past midnight runs into the next day, and Sunday's into Monday", () => {
    const l = compiled({
      bandwidth: "100MB/s",
      bandwidthSchedule: {
        timeZone: "UTC",
        windows: [{ days: ["sun"], from: "22:00", to: "06:00", bandwidth: "unlimited" }],
      },
    });
    expect(l.limitAt(Date.parse("2027-03-14T21:59:00Z"))).toBe(100 * MB); // Sun 21:59
    expect(l.limitAt(Date.parse("2027-03-14T23:00:00Z"))).toBeUndefined(); // Sun 23:00
    expect(l.limitAt(Date.parse("2027-03-15T05:59:00Z"))).toBeUndefined(); // Mon 05:59
    expect(l.limitAt(Date.parse("2027-03-15T06:00:00Z"))).toBe(100 * MB); // Mon 06:00
  });

  it("a base figure alone applies all the time", () => {
    const l = compiled({ bandwidth: "20MB/s" });
    expect(l.limitAt(0)).toBe(20 * MB);
    expect(l.describe()).toBe("20 MB/s");
  });

  it("describes itself as the plan shows it", () => {
    expect(compiled(businessHours).describe()).toBe(
      "weekdays 09:00–18:00: 50 MB/s (Asia/Shanghai); otherwise unlimited",
    );
  });
});

describe("schedule problems", () => {
  const schedule = (
    windows: NonNullable<BandwidthLimitsFile["bandwidthSchedule"]>["windows"],
    timeZone = "UTC",
  ) => ({
    bandwidthSchedule: { timeZone, windows },
  });

  it("overlapping windows, also across midnight and the week's end", () => {
    expect(
      problemsOf(
        schedule([
          { days: "weekdays", from: "09:00", to: "18:00", bandwidth: "50MB/s" },
          { days: ["fri"], from: "17:00", to: "20:00", bandwidth: "10MB/s" },
        ]),
      ),
    ).toEqual([
      {
        path: ["bandwidthSchedule", "windows", 1],
        message: "window overlaps windows[0] at fri 17:00: windows of one schedule must not overlap",
      },
    ]);
    expect(
      problemsOf(
        schedule([
          { days: ["sun"], from: "23:00", to: "02:00", bandwidth: "50MB/s" },
          { days: ["mon"], from: "01:00", to: "03:00", bandwidth: "10MB/s" },
        ]),
      ),
    ).toHaveLength(1);
    // touching is not overlapping
    expect(
      problemsOf(
        schedule([
          { days: "daily", from: "00:00", to: "09:00", bandwidth: "50MB/s" },
          { days: "daily", from: "09:00", to: "24:00", bandwidth: "10MB/s" },
        ]),
      ),
    ).toEqual([]);
  });

  it("times of day, empty windows, rates and days listed twice", () => {
    const p = problemsOf(
      schedule([
        { days: ["mon", "mon"], from: "9:00", to: "24:01", bandwidth: "fast" },
        { days: ["tue"], from: "10:00", to: "10:00", bandwidth: "1MB/s" },
        { days: ["wed"], from: "24:00", to: "10:00", bandwidth: "1MB/s" },
      ]),
    );
    expect(p.map((x) => x.path.join("."))).toEqual([
      "bandwidthSchedule.windows.0.from",
      "bandwidthSchedule.windows.0.to",
      "bandwidthSchedule.windows.0.bandwidth",
      "bandwidthSchedule.windows.0.days",
      "bandwidthSchedule.windows.1.to",
      "bandwidthSchedule.windows.2.from",
    ]);
  });

  it("time zones must be IANA names as written", () => {
    expect(timeZoneProblem("Asia/Shanghai")).toBeUndefined();
    expect(timeZoneProblem("UTC")).toBeUndefined();
    expect(timeZoneProblem("Asia/Shanghi")).toMatch(/unknown time zone 'Asia\/Shanghi'/);
    expect(timeZoneProblem("+08:00")).toMatch(/is an offset/);
    expect(timeZoneProblem("EST")).toMatch(/is an abbreviation/);
    expect(timeZoneProblem("asia/shanghai")).toMatch(/is written 'Asia\/Shanghai'/);
    expect(
      problemsOf(schedule([{ days: "daily", from: "00:00", to: "01:00", bandwidth: "1MB/s" }], "Mars/Base")),
    ).toEqual([
      { path: ["bandwidthSchedule", "timeZone"], message: expect.stringMatching(/unknown time zone/) },
    ]);
  });
});

describe("the ETA a limit implies", () => {
  const wednesdayMidnightShanghai = Date.parse("2027-03-09T16:00:00Z"); // Wed 00:00 local

  it("a constant limit below the fleet's throughput sets the pace", () => {
    const l = compiled({ bandwidth: "50MB/s" });
    expect(l.secondsToMove(500 * MB, 100 * MB, 0)).toBe(10);
    expect(l.secondsToMove(500 * MB, 25 * MB, 0)).toBe(20);
  });

  it("walks the windows: business hours at 50 MB/s, 100 MB/s otherwise", () => {
    const l = compiled({ ...businessHours, bandwidth: "100MB/s" });
    // Wednesday 00:00–09:00 at 100 MB/s
    const nine = 9 * 3600;
    expect(l.secondsToMove(100 * MB * nine, 1e12, wednesdayMidnightShanghai)).toBeCloseTo(nine, 3);
    // one more hour at 50 MB/s
    expect(l.secondsToMove(100 * MB * nine + 50 * MB * 3600, 1e12, wednesdayMidnightShanghai)).toBeCloseTo(
      nine + 3600,
      3,
    );
  });

  it("skips whole weeks, so a petabyte costs a few hundred steps", () => {
    const l = compiled({ ...businessHours, bandwidth: "100MB/s" });
    const week = 7 * 86400;
    // a week: 5 × 9 h at 50 MB/s, the rest at 100 MB/s
    const weekBytes = (week - 45 * 3600) * 100 * MB + 45 * 3600 * 50 * MB;
    const seconds = l.secondsToMove(weekBytes * 100, 1e12, wednesdayMidnightShanghai);
    expect(seconds).toBeCloseTo(100 * week, 0);
  });
});
