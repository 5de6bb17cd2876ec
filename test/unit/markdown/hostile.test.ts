// Untrusted strings (keys, S3 messages, migration fields, reasons) rendered through a
// CommonMark renderer with raw HTML on (as GitHub renders comments and job summaries): the
// elements in the output are exactly those the template produces, whatever the strings hold.
import * as core from "@actions/core";
import MarkdownIt from "markdown-it";
import { afterEach, describe, expect, it } from "vitest";
import { addProblemsTable } from "../../../action/src/output/summary.js";
import { normalizeMigration } from "../../../worker/src/config/index.js";
import {
  escapeHtml,
  escapeText,
  inlineCode,
  lineBreakMark,
  singleLine,
} from "../../../worker/src/markdown/index.js";
import { assemblePlan, MigrationPlanBuilder, renderPlanMarkdown } from "../../../worker/src/plan/index.js";
import { type MigrationReport, renderMigrationMarkdown } from "../../../worker/src/report/index.js";

const md = new MarkdownIt({ html: true, linkify: true });

/** Every tag the rendered HTML holds, in order (text `<` is always `&lt;` in markdown-it's output). */
const tags = (html: string) => [...html.matchAll(/<\/?([A-Za-z][\w-]*)/g)].map((m) => m[0]);

/** The rendered HTML's text with tags dropped and entities decoded. */
function textOf(html: string): string {
  const named: Record<string, string> = { lt: "<", gt: ">", quot: '"', amp: "&" };
  return html
    .replace(/<[^>]*>/g, "")
    .replace(/&(#\d+|lt|gt|quot|amp);/g, (_, e: string) =>
      e.startsWith("#") ? String.fromCharCode(Number(e.slice(1))) : (named[e] as string),
    );
}

const hostile = [
  "</details><h2>Plan OK: 0 objects, safe to merge</h2>",
  "`x`",
  "``",
  "` leading and trailing `",
  "![img](http://x.example/i.png)",
  "[link](javascript:alert(1))",
  "[approve](https://evil.example/)",
  "<img src=x onerror=alert(1)>",
  "<script>alert(1)</script>",
  "a|b|c",
  "back\\|slash\\",
  "two\n\nlines</details>\n# heading\n- item",
  "cr\rlf\r\nls\u2028end",
  "&lt;b&gt; &amp; &#60;i&#62;",
  "<!-- longbow:finished -->",
  "*bold* _em_ ~~strike~~ **b**",
  "<https://autolink.example>",
  "> quote",
];

function plan(text: string | undefined) {
  const v = text ?? "plain";
  const m = normalizeMigration({
    name: "photos",
    source: { bucket: "src", prefix: "p/", region: "us-east-1" },
    destination: { bucket: "dst", region: "cn-northwest-1" },
  });
  const ok = new MigrationPlanBuilder({ ...m, name: v, source: { ...m.source, prefix: v } });
  ok.add({ kind: "new", sourceKey: v, destinationKey: v, size: 10 });
  const failed = new MigrationPlanBuilder({ ...m, name: v });
  failed.fail(v);
  return renderPlanMarkdown(
    assemblePlan([ok.build(1e6), failed.build(1e6)], 1e6, new Date("2026-01-01T00:00:00Z")),
  );
}

function report(text: string | undefined): string {
  const v = text ?? "plain";
  const totals = { total: 3, done: 1, pending: 0, failed: 1, skipped: 1, deleted: 0 };
  const none = { objects: 0, bytes: 0 };
  const m: MigrationReport = {
    migration: v,
    objects: totals,
    bytes: totals,
    bytesPerSecond: 1,
    finished: false,
    failures: [{ key: v, reason: v, attempts: 3 }],
    skips: [{ key: v, reason: v }],
    verified: {
      "source-etag": { objects: 1, bytes: 1 },
      "source-checksum": none,
      "parts-only": none,
      "content-md5": none,
    },
    retries: 2,
    bytesPerHour: [],
  };
  return renderMigrationMarkdown(m, { generatedAt: "2026-01-01T00:00:00Z" });
}

describe("hostile strings in Markdown outputs", () => {
  afterEach(() => {
    core.summary.emptyBuffer();
  });

  it.each(hostile)("a plan shows %j as text, adding no element", (h) => {
    const benign = md.render(plan(undefined));
    const html = md.render(plan(h));
    expect(tags(html)).toEqual(tags(benign));
    const text = textOf(html);
    // the key (a code span in a table), the error (a code span) and the name (raw HTML summary)
    expect(text.split(singleLine(h)).length - 1).toBeGreaterThanOrEqual(4);
  });

  it.each(hostile)("a report comment shows %j as text, adding no element", (h) => {
    const benign = md.render(report(undefined));
    const html = md.render(report(h));
    expect(tags(html)).toEqual(tags(benign));
    // name, failed key and reason, skipped key and reason
    expect(textOf(html).split(singleLine(h)).length - 1).toBeGreaterThanOrEqual(5);
  });

  it.each(hostile)("the job summary's problem table shows %j as text, adding no element", (h) => {
    const render = (v: string) => {
      core.summary.emptyBuffer();
      addProblemsTable(core.summary, [{ file: v, line: 1, col: 1, path: v, message: v, severity: "error" }]);
      return md.render(core.summary.stringify());
    };
    const html = render(h);
    expect(tags(html)).toEqual(tags(render("plain")));
    expect(textOf(html)).toContain(singleLine(h));
  });

  it("never renders a link, an image or raw HTML from a key", () => {
    const html = md.render(plan(hostile.join(" ")));
    expect(html).not.toMatch(/<(a|img|script|h2|h1)\b/);
  });
});

describe("the escaping helpers", () => {
  it("fences a code span with more backticks than any run inside", () => {
    expect(inlineCode("plain")).toBe("`plain`");
    expect(inlineCode("a`b")).toBe("``a`b``");
    expect(inlineCode("```")).toBe("```` ``` ````");
    expect(inlineCode("")).toBe("` `");
    expect(md.renderInline(inlineCode("a``b`c"))).toBe("<code>a``b`c</code>");
  });

  it("keeps a code span on one line and its pipes inside a table cell", () => {
    expect(inlineCode("a\nb")).toBe(`\`a${lineBreakMark}b\``);
    expect(inlineCode("a|b", { inTable: true })).toBe("`a\\|b`");
    expect(inlineCode("a|b")).toBe("`a|b`");
  });

  it("escapes plain text so it renders as itself", () => {
    for (const h of hostile) {
      expect(textOf(md.renderInline(escapeText(h)))).toBe(singleLine(h));
      expect(md.renderInline(escapeText(h))).not.toMatch(/<(?!\/?br)/);
    }
  });

  it("escapes text for raw HTML with entities and no line break", () => {
    expect(escapeHtml(`<b a="1">&'\n`)).toBe(`&#60;b a=&#34;1&#34;&#62;&#38;&#39;${lineBreakMark}`);
  });
});
