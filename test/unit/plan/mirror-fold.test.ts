// The deletions fold of a mirror migration's plan, rendered as GitHub renders a comment
// (CommonMark with raw HTML): hostile destination keys stay text in it.
import MarkdownIt from "markdown-it";
import { describe, expect, it } from "vitest";
import type { DiffItem } from "../../../worker/src/compare/index.js";
import { type MigrationFile, normalizeMigration } from "../../../worker/src/config/index.js";
import { singleLine } from "../../../worker/src/markdown/index.js";
import {
  assemblePlan,
  deletionSampleCount,
  MigrationPlanBuilder,
  renderPlanMarkdown,
} from "../../../worker/src/plan/index.js";

const md = new MarkdownIt({ html: true, linkify: true });
const tags = (html: string) => [...html.matchAll(/<\/?([A-Za-z][\w-]*)/g)].map((m) => m[0]);

const migration = (over: Partial<MigrationFile> = {}) =>
  normalizeMigration({
    name: "photos",
    source: { bucket: "src", prefix: "p/", region: "us-east-1" },
    destination: { bucket: "dst", prefix: "q/", region: "cn-northwest-1" },
    ignore: ["*.keep"],
    mirror: { enabled: true, maxDeleteShare: "50%" },
    ...over,
  });

const extra = (key: string, size = 10): DiffItem => ({ kind: "extra", destinationKey: key, size, etag: "e" });
const identical = (rel: string): DiffItem => ({
  kind: "identical",
  sourceKey: `p/${rel}`,
  destinationKey: `q/${rel}`,
  size: 1,
  atDestination: true,
});

function render(items: DiffItem[], over: Partial<MigrationFile> = {}) {
  const b = new MigrationPlanBuilder(migration(over));
  for (const i of items) b.add(i);
  const p = b.build(1e6);
  return { plan: p, markdown: renderPlanMarkdown(assemblePlan([p], 1e6, new Date("2026-12-01T00:00:00Z"))) };
}

const hostile = [
  "q/</details></details><h2>Nothing to delete, safe to merge</h2>",
  "q/<img src=x onerror=alert(1)>",
  "q/`x` ``y``",
  "q/[approve](https://evil.example/)",
  "q/a|b|c",
  "q/two\n\nlines\n# heading\n- item",
  "q/<!-- longbow:finished -->",
];

describe("the plan's deletions fold (mirror mode)", () => {
  it("counts the extra objects that are not ignored, their share of the destination, the largest and a sample", () => {
    const { plan, markdown } = render([
      identical("a"),
      identical("b"),
      extra("q/gone", 300),
      extra("q/old/big", 5000),
      extra("q/x.keep", 7),
    ]);
    expect(plan.deletions).toMatchObject({
      objects: 2,
      bytes: 5300,
      destinationObjects: 5,
      share: 0.4,
      limit: "50%",
      overLimit: false,
      sample: ["q/gone", "q/old/big"],
      largest: [
        { destinationKey: "q/old/big", size: 5000 },
        { destinationKey: "q/gone", size: 300 },
      ],
    });
    expect(markdown).toContain(
      "<details><summary>Mirror: 2 (5.2 KiB) to delete (40% of the destination's 5 objects, limit 50%)</summary>",
    );
    expect(markdown).toContain("2 (5.2 KiB) to delete** (mirror)");
    expect(markdown).not.toContain("x.keep");
    expect(markdown).not.toContain("Over the safety limit");
  });

  it("says when the deletions are over the limit, and what to raise it to", () => {
    const { plan, markdown } = render([identical("a"), extra("q/1"), extra("q/2")]);
    expect(plan.deletions?.overLimit).toBe(true);
    expect(markdown).toContain("1 over the deletion limit: send refuses to delete");
    expect(markdown).toContain("raises `mirror.maxDeleteShare` to at least 67%");
  });

  it("samples the first keys in key order, whatever order the partitions came in", () => {
    const keys = Array.from({ length: 30 }, (_, i) => `q/k${String(i).padStart(2, "0")}`);
    const { plan } = render(
      [...keys].reverse().map((k) => extra(k)),
      { mirror: { enabled: true, maxDeleteShare: "100%" } },
    );
    expect(plan.deletions?.sample).toEqual(keys.slice(0, deletionSampleCount));
  });

  it("has no fold without mirror mode, and extra objects are then never deleted", () => {
    const { plan, markdown } = render([extra("q/1")], { mirror: false });
    expect(plan.deletions).toBeUndefined();
    expect(markdown).not.toContain("Mirror:");
    expect(markdown).toContain("they are never deleted.");
  });

  it.each(hostile)("shows the key %j as text in the fold, adding no element", (h) => {
    const items = [identical("a"), extra("q/plain")];
    const benign = md.render(render([...items, extra("q/zz-benign")], { mirror: true }).markdown);
    const html = md.render(render([...items, extra(h)], { mirror: true }).markdown);
    expect(tags(html)).toEqual(tags(benign));
    // in the largest table and in the sample
    expect(
      html.split(singleLine(h).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")).length - 1,
    ).toBe(2);
  });
});
