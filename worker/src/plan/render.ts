import type { DiffKind } from "../compare/index.js";
import { formatBytes, formatCount, formatDuration } from "../format/index.js";
import { escapeHtml, inlineCode } from "../markdown/index.js";
import type { CostEstimate } from "./estimate.js";
import type { MigrationPlan, Plan, Tally } from "./model.js";
import { estimateSummary, formatMoneys, renderEstimate } from "./render-estimate.js";

const kinds: DiffKind[] = ["new", "changed", "identical", "ignored", "extra"];

const inTable = { inTable: true };

const tally = (t: Tally) => `${formatCount(t.objects)} (${formatBytes(t.bytes)})`;

function summaryLine(plan: Plan): string {
  const t = plan.totals;
  const n = plan.migrations.length;
  const failed = plan.migrations.filter((m) => m.error !== undefined).length;
  const rate = `${formatBytes(plan.throughputBytesPerSecond)}/s`;
  return (
    `**Longbow plan:** ${n} migration${n === 1 ? "" : "s"}, ${tally(t.toCopy)} to copy, ` +
    `${formatCount(t.classes.identical.objects)} identical, ${formatCount(t.classes.ignored.objects)} ignored, ` +
    `${formatCount(t.classes.extra.objects)} extra; ETA ${formatDuration(t.etaSeconds)} at ${rate}; ` +
    estimateSummary(plan.estimate) +
    (failed > 0 ? `; **${failed} failed**` : "")
  );
}

/** What the destination's copies are encrypted with, in one line. */
function encryptionLine(e: NonNullable<MigrationPlan["encryption"]>): string {
  if (e.type === "SSE-S3") return "Encryption: SSE-S3 (keys S3 manages)";
  const bucketKey = e.bucketKey === undefined ? "" : `, S3 Bucket Key ${e.bucketKey ? "on" : "off"}`;
  return `Encryption: SSE-KMS with key ${inlineCode(e.keyId)}${bucketKey}; verified by Content-MD5 (the destination's ETags are not MD5s)`;
}

function migrationSection(p: MigrationPlan, estimate: CostEstimate): string {
  // The summary is raw HTML (Markdown is not parsed there): entities only.
  const head = p.error
    ? `${escapeHtml(p.migration)}: compare failed`
    : `${escapeHtml(p.migration)}: ${tally(p.toCopy)} to copy, ETA ${formatDuration(p.etaSeconds)}`;
  const lines = [`<details><summary>${head}</summary>`, ""];
  lines.push(`${inlineCode(p.source)} → ${inlineCode(p.destination)}, compare by ${p.compare}`, "");
  if (p.encryption) lines.push(encryptionLine(p.encryption), "");
  if (p.error) lines.push(`> **Error:** ${inlineCode(p.error)}`, "");
  const cost = estimate.migrations.find((c) => c.migration === p.migration);
  if (cost) lines.push(`Estimated cost: ${formatMoneys(cost.total)} (see the estimate below)`, "");
  lines.push("| class | objects | bytes |", "| --- | ---: | ---: |");
  for (const k of kinds) {
    lines.push(`| ${k} | ${formatCount(p.classes[k].objects)} | ${formatBytes(p.classes[k].bytes)} |`);
  }
  if (p.largest.length > 0) {
    lines.push("", `Largest to copy:`, "", "| object | kind | size |", "| --- | --- | ---: |");
    for (const c of p.largest)
      lines.push(`| ${inlineCode(c.sourceKey, inTable)} | ${c.kind} | ${formatBytes(c.size)} |`);
  }
  lines.push("", "</details>");
  return lines.join("\n");
}

/**
 * The plan as GitHub-flavoured Markdown: a one-line summary first (what a reviewer reads),
 * then one `<details>` fold per migration with its classes and largest objects, then the
 * cost estimate's fold with its assumptions.
 */
export function renderPlanMarkdown(plan: Plan): string {
  const parts = [summaryLine(plan), ""];
  for (const m of plan.migrations) parts.push(migrationSection(m, plan.estimate), "");
  parts.push(renderEstimate(plan.estimate), "");
  parts.push(
    `<sub>Planned ${plan.createdAt}. Extra objects exist only at the destination; they are never deleted.</sub>`,
  );
  return `${parts.join("\n")}\n`;
}

/** The plan as JSON (the same model, for machines). */
export function renderPlanJson(plan: Plan): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}
