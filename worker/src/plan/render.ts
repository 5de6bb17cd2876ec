import type { DiffKind } from "../compare/index.js";
import { formatBytes, formatCount, formatDuration } from "./format.js";
import type { MigrationPlan, Plan, Tally } from "./model.js";

const kinds: DiffKind[] = ["new", "changed", "identical", "ignored", "extra"];

/** Keys are user data: keep them from breaking tables or opening markup. */
function code(text: string): string {
  const clean = text.replace(/[\r\n]/g, " ").replace(/\|/g, "\\|");
  const ticks = clean.includes("`") ? "``" : "`";
  return `${ticks}${ticks === "``" ? " " : ""}${clean}${ticks === "``" ? " " : ""}${ticks}`;
}

const tally = (t: Tally) => `${formatCount(t.objects)} (${formatBytes(t.bytes)})`;

function summaryLine(plan: Plan): string {
  const t = plan.totals;
  const n = plan.migrations.length;
  const failed = plan.migrations.filter((m) => m.error !== undefined).length;
  const rate = `${formatBytes(plan.throughputBytesPerSecond)}/s`;
  return (
    `**Longbow plan:** ${n} migration${n === 1 ? "" : "s"}, ${tally(t.toCopy)} to copy, ` +
    `${formatCount(t.classes.identical.objects)} identical, ${formatCount(t.classes.ignored.objects)} ignored, ` +
    `${formatCount(t.classes.extra.objects)} extra; ETA ${formatDuration(t.etaSeconds)} at ${rate}` +
    (failed > 0 ? `; **${failed} failed**` : "")
  );
}

function migrationSection(p: MigrationPlan): string {
  const head = p.error
    ? `${p.migration}: compare failed`
    : `${p.migration}: ${tally(p.toCopy)} to copy, ETA ${formatDuration(p.etaSeconds)}`;
  const lines = [`<details><summary>${head.replace(/</g, "&lt;")}</summary>`, ""];
  lines.push(`${code(p.source)} → ${code(p.destination)}, compare by ${p.compare}`, "");
  if (p.error) lines.push(`> **Error:** ${p.error.replace(/[\r\n]+/g, " ")}`, "");
  lines.push("| class | objects | bytes |", "| --- | ---: | ---: |");
  for (const k of kinds) {
    lines.push(`| ${k} | ${formatCount(p.classes[k].objects)} | ${formatBytes(p.classes[k].bytes)} |`);
  }
  if (p.largest.length > 0) {
    lines.push("", `Largest to copy:`, "", "| object | kind | size |", "| --- | --- | ---: |");
    for (const c of p.largest) lines.push(`| ${code(c.sourceKey)} | ${c.kind} | ${formatBytes(c.size)} |`);
  }
  lines.push("", "</details>");
  return lines.join("\n");
}

/**
 * The plan as GitHub-flavoured Markdown: a one-line summary first (what a reviewer reads),
 * then one `<details>` fold per migration with its classes and largest objects.
 */
export function renderPlanMarkdown(plan: Plan): string {
  const parts = [summaryLine(plan), ""];
  for (const m of plan.migrations) parts.push(migrationSection(m), "");
  parts.push(
    `<sub>Planned ${plan.createdAt}. Extra objects exist only at the destination; they are never deleted.</sub>`,
  );
  return `${parts.join("\n")}\n`;
}

/** The plan as JSON (the same model, for machines). */
export function renderPlanJson(plan: Plan): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}
