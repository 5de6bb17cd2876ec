import { describe, expect, it } from "vitest";
import type { DiffItem } from "../../../worker/src/compare/index.js";
import { normalizeMigration } from "../../../worker/src/config/index.js";
import {
  assemblePlan,
  formatBytes,
  formatDuration,
  MigrationPlanBuilder,
  planFromDiff,
  renderPlanJson,
  renderPlanMarkdown,
} from "../../../worker/src/plan/index.js";

const m = normalizeMigration({
  name: "videos",
  source: { bucket: "src", prefix: "v/", region: "us-east-1" },
  destination: { bucket: "dst", region: "cn-northwest-1" },
});

async function* items(list: DiffItem[]) {
  yield* list;
}

const MB = 1_000_000;

describe("plan", () => {
  it("counts objects and bytes per class and lists the ten largest to copy, biggest first", async () => {
    const list: DiffItem[] = [];
    for (let i = 1; i <= 15; i++) {
      list.push({
        kind: i % 2 ? "new" : "changed",
        sourceKey: `v/${i}`,
        destinationKey: `${i}`,
        size: i * MB,
      });
    }
    list.push({ kind: "identical", sourceKey: "v/s", destinationKey: "s", size: 999 * MB });
    list.push({ kind: "ignored", sourceKey: "v/i", destinationKey: "i", size: 7 });
    list.push({ kind: "extra", destinationKey: "x", size: 3 });
    const p = await planFromDiff(m, items(list), 10 * MB);
    expect(p.classes.new).toEqual({ objects: 8, bytes: 64 * MB });
    expect(p.classes.changed).toEqual({ objects: 7, bytes: 56 * MB });
    expect(p.classes.identical.objects).toBe(1);
    expect(p.toCopy).toEqual({ objects: 15, bytes: 120 * MB });
    expect(p.largest.map((c) => c.size / MB)).toEqual([15, 14, 13, 12, 11, 10, 9, 8, 7, 6]);
    expect(p.etaSeconds).toBe(12);
    expect(p.source).toBe("s3://src/v/");
  });

  it("renders a one-line summary first and one fold per migration", () => {
    const b = new MigrationPlanBuilder(m);
    b.add({ kind: "new", sourceKey: "v/a|b`c", destinationKey: "a|b`c", size: 5 * 1024 ** 3 });
    const failed = new MigrationPlanBuilder({ ...m, name: "broken" });
    failed.fail("AccessDenied listing bucket 'src'");
    const plan = assemblePlan(
      [b.build(100 * MB), failed.build(100 * MB)],
      100 * MB,
      new Date("2026-01-02T03:04:05Z"),
    );
    const md = renderPlanMarkdown(plan);
    const [first] = md.split("\n");
    expect(first).toBe(
      "**Longbow plan:** 2 migrations, 1 (5.0 GiB) to copy, 0 identical, 0 ignored, 0 extra; ETA 54s at 95.4 MiB/s; estimated cost USD 0.45 + under CNY 0.01, partly unpriced; **1 failed**",
    );
    expect(md).toContain("<details><summary>videos: 1 (5.0 GiB) to copy, ETA 54s</summary>");
    expect(md).toContain("<details><summary>broken: compare failed</summary>");
    expect(md).toContain("| ``v/a\\|b`c`` | new | 5.0 GiB |");
    expect(md).toContain("Planned 2026-01-02T03:04:05.000Z");
    expect(JSON.parse(renderPlanJson(plan))).toEqual(plan);
  });

  it("formats sizes and durations for people", () => {
    expect([0, 1023, 1024, 1536 * 1024 ** 2].map(formatBytes)).toEqual([
      "0 B",
      "1023 B",
      "1.0 KiB",
      "1.5 GiB",
    ]);
    expect([0, 45, 250, 7500, 3 * 86400 + 4 * 3600 + 5].map(formatDuration)).toEqual([
      "0s",
      "45s",
      "4m 10s",
      "2h 5m",
      "3d 4h",
    ]);
  });
});
