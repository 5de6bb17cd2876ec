import { describe, expect, it } from "vitest";
import { formatProblem, parseMigrationFile } from "../../../worker/src/config/index.js";

const file = (limits: string) => `name: bw
source: { bucket: src-bucket, region: us-east-1 }
destination: { bucket: dst-bucket, region: cn-northwest-1, credentials: { profile: china } }
limits:
${limits}`;

const problems = (limits: string) =>
  parseMigrationFile(file(limits), "migrations/bw.yaml").problems.map(formatProblem);

describe("bandwidth fields of a migration file", () => {
  it("a limit and a schedule are valid and kept as written", () => {
    const parsed = parseMigrationFile(
      file(`  bandwidth: 200MB/s
  bandwidthSchedule:
    timeZone: Asia/Shanghai
    windows:
      - { days: weekdays, from: "09:00", to: "18:00", bandwidth: 50MB/s }
      - { days: [sat, sun], from: "22:00", to: "06:00", bandwidth: unlimited }
`),
      "migrations/bw.yaml",
    );
    expect(parsed.problems).toEqual([]);
    expect(parsed.checked?.migration.limits.bandwidth).toBe("200MB/s");
    expect(parsed.checked?.migration.limits.bandwidthSchedule?.windows).toHaveLength(2);
  });

  it("each problem at its line and column", () => {
    expect(
      problems(`  bandwidth: 200mb/s
  bandwidthSchedule:
    timeZone: Asia/Shanghi
    windows:
      - { days: weekdays, from: "09:00", to: "18:00", bandwidth: 50MB/s }
      - { days: [fri], from: "17:00", to: "02:00", bandwidth: 10MB/s }
      - { days: [mon], from: "9", to: "18:00", bandwidth: 1MB/s }
`),
    ).toEqual([
      "migrations/bw.yaml:5:14  limits.bandwidth  '200mb/s' is not a bandwidth: unknown unit 'mb/s' (one of B/s, kB/s, KB/s, MB/s, GB/s, KiB/s, MiB/s, GiB/s, kbit/s, Mbit/s, Gbit/s); write e.g. 200MB/s, 50MiB/s, 400Mbit/s or unlimited",
      "migrations/bw.yaml:7:15  limits.bandwidthSchedule.timeZone  unknown time zone 'Asia/Shanghi': name an IANA time zone such as Asia/Shanghai, Europe/Berlin or UTC",
      "migrations/bw.yaml:10:9  limits.bandwidthSchedule.windows[1]  window overlaps windows[0] at fri 17:00: windows of one schedule must not overlap",
      "migrations/bw.yaml:11:30  limits.bandwidthSchedule.windows[2].from  '9' is not a time of day: write HH:MM, e.g. 09:00",
    ]);
  });

  it("schema errors are reported once, by the schema", () => {
    const out = problems(`  bandwidth: 200
  bandwidthSchedule:
    timeZone: UTC
    windows:
      - { days: [someday], from: 900, to: "18:00", bandwidth: 5MB/s, extra: 1 }
`);
    expect(out).toHaveLength(4);
    expect(out.join("\n")).toMatch(/limits.bandwidth {2}must be string/);
    expect(out.join("\n")).toMatch(/days\[0\] {2}must be one of: mon/);
    expect(out.join("\n")).toMatch(/from {2}must be string/);
    expect(out.join("\n")).toMatch(/unknown key 'extra'/);
  });

  it("hostile sizes are bounded by the schema", () => {
    const windows = Array.from(
      { length: 51 },
      () => `      - { days: daily, from: "00:00", to: "01:00", bandwidth: 1MB/s }`,
    );
    const out = problems(`  bandwidthSchedule:
    timeZone: ${"A".repeat(100)}
    windows:
${windows.join("\n")}
`);
    expect(out.join("\n")).toMatch(/timeZone {2}must NOT have more than 64 characters/);
    expect(out.join("\n")).toMatch(/windows {2}must NOT have more than 50 items/);
    expect(out).toHaveLength(2);
  });
});
