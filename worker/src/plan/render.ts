import type { DiffKind } from "../compare/index.js";
import { formatBytes, formatCount, formatDuration } from "../format/index.js";
import { escapeHtml, inlineCode } from "../markdown/index.js";
import { formatShare, neededLimit } from "../mirror/index.js";
import type { CostEstimate } from "./estimate.js";
import type { MigrationPlan, Plan, PlannedDeletions, Tally } from "./model.js";
import { estimateSummary, formatMoneys, renderEstimate } from "./render-estimate.js";

const kinds: DiffKind[] = ["new", "changed", "identical", "ignored", "extra"];

const inTable = { inTable: true };

const tally = (t: Tally) => `${formatCount(t.objects)} (${formatBytes(t.bytes)})`;

function summaryLine(plan: Plan): string {
  const t = plan.totals;
  const n = plan.migrations.length;
  const failed = plan.migrations.filter((m) => m.error !== undefined).length;
  const rate = `${formatBytes(plan.throughputBytesPerSecond)}/s`;
  const mirrored = plan.migrations.flatMap((m) => (m.deletions ? [m.deletions] : []));
  const toDelete = mirrored.reduce((a, d) => ({ objects: a.objects + d.objects, bytes: a.bytes + d.bytes }), {
    objects: 0,
    bytes: 0,
  });
  const stopped = mirrored.filter((d) => d.overLimit).length;
  const deletions =
    mirrored.length === 0
      ? ""
      : `, **${tally(toDelete)} to delete** (mirror)` +
        (stopped > 0 ? `, **${stopped} over the deletion limit: send refuses to delete**` : "");
  return (
    `**Longbow plan:** ${n} migration${n === 1 ? "" : "s"}, ${tally(t.toCopy)} to copy${deletions}, ` +
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

/** How the copies are written: their storage class and whether the source's tags come along. */
function writesLine(w: MigrationPlan["writes"]): string {
  const cls = w.storageClass === "preserve" ? "each source object's own" : inlineCode(w.storageClass);
  return `Writes: storage class ${cls}; tags ${w.tags === "copy" ? "copied" : "not copied"}`;
}

function migrationSection(p: MigrationPlan, estimate: CostEstimate): string {
  // The summary is raw HTML (Markdown is not parsed there): entities only.
  const toDelete = p.deletions
    ? `, ${tally(p.deletions)} to delete${p.deletions.overLimit ? " (over the limit)" : ""}`
    : "";
  const head = p.error
    ? `${escapeHtml(p.migration)}: compare failed`
    : `${escapeHtml(p.migration)}: ${tally(p.toCopy)} to copy${toDelete}, ETA ${formatDuration(p.etaSeconds)}`;
  const lines = [`<details><summary>${head}</summary>`, ""];
  lines.push(`${inlineCode(p.source)} → ${inlineCode(p.destination)}, compare by ${p.compare}`, "");
  lines.push(writesLine(p.writes), "");
  if (p.encryption) lines.push(encryptionLine(p.encryption), "");
  if (p.error) lines.push(`> **Error:** ${inlineCode(p.error)}`, "");
  if (p.bandwidth)
    lines.push(
      `Bandwidth (fleet-wide): ${inlineCode(p.bandwidth.limit)}; ETA under it ${formatDuration(p.bandwidth.etaSeconds)}`,
      "",
    );
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
  if (p.deletions) lines.push("", deletionFold(p.deletions));
  lines.push("", "</details>");
  return lines.join("\n");
}

/**
 * A mirror migration's deletions in their own fold: count, bytes, share of the destination
 * against the safety stop, the largest and a sample of keys (every key in a code span).
 */
export function deletionFold(d: PlannedDeletions): string {
  const share = `${formatShare(d.share)} of the destination's ${formatCount(d.destinationObjects)} objects, limit ${escapeHtml(d.limit)}`;
  const lines = [`<details><summary>Mirror: ${tally(d)} to delete (${share})</summary>`, ""];
  if (d.overLimit) {
    lines.push(
      `> **Over the safety limit:** send refuses to delete until the file raises \`mirror.maxDeleteShare\` to at least ${neededLimit(d.share)}.`,
      "",
    );
  }
  if (d.objects === 0) {
    lines.push("Nothing to delete: every object at the destination is at the source or ignored.");
  } else {
    lines.push("Largest to delete:", "", "| object | size |", "| --- | ---: |");
    for (const x of d.largest)
      lines.push(`| ${inlineCode(x.destinationKey, inTable)} | ${formatBytes(x.size)} |`);
    const more =
      d.objects > d.sample.length
        ? ` (the first ${d.sample.length} of ${formatCount(d.objects)} in key order)`
        : "";
    lines.push("", `Keys to delete${more}:`, "");
    for (const key of d.sample) lines.push(`- ${inlineCode(key)}`);
  }
  lines.push(
    "",
    "Each deletion is made only while the destination object still has the listed ETag and the source has no object at the key.",
    "",
    "</details>",
  );
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
  const extra = plan.migrations.some((m) => m.deletions)
    ? "they are deleted only by migrations in mirror mode, as listed in their folds."
    : "they are never deleted.";
  parts.push(`<sub>Planned ${plan.createdAt}. Extra objects exist only at the destination; ${extra}</sub>`);
  return `${parts.join("\n")}\n`;
}

/** The plan as JSON (the same model, for machines). */
export function renderPlanJson(plan: Plan): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}
