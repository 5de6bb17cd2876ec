import { formatBytes, formatDuration, formatRate } from "../format/index.js";
import { inlineCode } from "../markdown/index.js";
import type { MigrationReport, Report } from "./model.js";

/** A Mermaid pie of object states (empty states left out). */
export function stateChart(m: MigrationReport): string | undefined {
  const slices = (
    [
      ["done", m.objects.done],
      ["pending", m.objects.pending],
      ["failed", m.objects.failed],
      ["skipped", m.objects.skipped],
      ["deleted", m.objects.deleted],
    ] as const
  ).filter(([, n]) => n > 0);
  if (slices.length === 0) return undefined;
  return [
    "```mermaid",
    "pie showData",
    "  title Objects by state",
    ...slices.map(([l, n]) => `  "${l}" : ${n}`),
    "```",
  ].join("\n");
}

/** A Mermaid xychart of MiB copied per UTC hour. */
export function hourlyChart(m: MigrationReport): string | undefined {
  if (m.bytesPerHour.length === 0) return undefined;
  const labels = m.bytesPerHour.map((h) => `"${h.hour.slice(5, 10)} ${h.hour.slice(11)}h"`);
  const mib = m.bytesPerHour.map((h) => Number((h.bytes / 1048576).toFixed(2)));
  return [
    "```mermaid",
    "xychart-beta",
    '  title "MiB copied per hour (UTC)"',
    `  x-axis [${labels.join(", ")}]`,
    '  y-axis "MiB"',
    `  bar [${mib.join(", ")}]`,
    "```",
  ].join("\n");
}

/** One migration as Markdown: the body of its sticky pull-request comment. */
export function renderMigrationMarkdown(
  m: MigrationReport,
  report?: Pick<Report, "queue" | "generatedAt">,
): string {
  const pct = (done: number, total: number) =>
    total === 0 ? "100%" : `${Math.floor((done / total) * 100)}%`;
  const status = m.finished ? (m.objects.failed > 0 ? "finished with failures" : "finished") : "in progress";
  const lines = [
    `### Longbow migration ${inlineCode(m.migration)}: ${status}`,
    "",
    "| | objects | bytes |",
    "| --- | ---: | ---: |",
    `| total | ${m.objects.total} | ${formatBytes(m.bytes.total)} |`,
    `| done | ${m.objects.done} (${pct(m.objects.done, m.objects.total)}) | ${formatBytes(m.bytes.done)} (${pct(m.bytes.done, m.bytes.total)}) |`,
    `| pending | ${m.objects.pending} | ${formatBytes(m.bytes.pending)} |`,
    `| failed | ${m.objects.failed} | ${formatBytes(m.bytes.failed)} |`,
    `| skipped | ${m.objects.skipped} | ${formatBytes(m.bytes.skipped)} |`,
    // only a migration in mirror mode deletes: the others' table stays as it was
    ...(m.objects.deleted > 0
      ? [`| deleted (mirror) | ${m.objects.deleted} | ${formatBytes(m.bytes.deleted)} |`]
      : []),
    "",
    `Throughput (last hour): **${formatRate(m.bytesPerSecond)}** · ETA: **${
      m.finished ? "done" : m.etaSeconds === undefined ? "unknown" : formatDuration(m.etaSeconds)
    }** · last compare: ${m.lastCompareAt ?? "never"}${
      report?.queue ? ` · dead letters: **${report.queue.dead}**` : ""
    }`,
  ];
  const v = m.verified;
  if (m.objects.done > 0) {
    lines.push(
      "",
      `Verified: **${v["source-etag"].objects}** against the source's ETag · **${v["source-checksum"].objects}** against its checksum · **${v["parts-only"].objects}** by parts only${
        v["content-md5"].objects > 0
          ? ` · **${v["content-md5"].objects}** by Content-MD5 (destination ETag not an MD5: SSE-KMS)`
          : ""
      }${m.retries > 0 ? ` · requests retried: **${m.retries}**` : ""}`,
    );
  }
  for (const chart of [stateChart(m), hourlyChart(m)]) if (chart) lines.push("", chart);
  if (m.fanouts !== undefined && m.fanouts.length > 0) {
    // a giant object copied by the whole fleet is one object; its parts show how far it is
    lines.push(
      "",
      "Copied by the fleet in part ranges:",
      "",
      "| key | parts | ranges |",
      "| --- | ---: | ---: |",
    );
    for (const f of m.fanouts)
      lines.push(
        `| ${inlineCode(f.sourceKey, { inTable: true })} | ${f.partsDone}/${f.partsTotal} (${pct(f.partsDone, f.partsTotal)}) | ${f.rangesDone}/${f.rangesTotal} |`,
      );
  }
  if (m.failures.length > 0) {
    const more =
      m.objects.failed > m.failures.length ? ` (first ${m.failures.length} of ${m.objects.failed})` : "";
    // A fold keeps a long failure list from pushing progress and charts off the screen.
    lines.push(
      "",
      `<details><summary>${m.objects.failed} failed${more}</summary>`,
      "",
      "| key | attempts | reason |",
      "| --- | ---: | --- |",
    );
    for (const f of m.failures)
      lines.push(
        `| ${inlineCode(f.key, { inTable: true })} | ${f.attempts} | ${inlineCode(f.reason, { inTable: true })} |`,
      );
    lines.push("", "</details>");
  }
  if (m.skips.length > 0) {
    const more =
      m.objects.skipped > m.skips.length ? ` (first ${m.skips.length} of ${m.objects.skipped})` : "";
    lines.push(
      "",
      `<details><summary>${m.objects.skipped} skipped${more}: the next compare sends them again</summary>`,
      "",
      "| key | reason |",
      "| --- | --- |",
    );
    for (const f of m.skips)
      lines.push(`| ${inlineCode(f.key, { inTable: true })} | ${inlineCode(f.reason, { inTable: true })} |`);
    lines.push("", "</details>");
  }
  if (report) lines.push("", `<sub>generated ${report.generatedAt}</sub>`);
  return lines.join("\n");
}

/** The whole report as Markdown (one section per migration, then the queue). */
export function renderReportMarkdown(report: Report): string {
  const parts = report.migrations.map((m) => renderMigrationMarkdown(m));
  if (parts.length === 0) parts.push("No migrations recorded yet.");
  if (report.queue) {
    const q = report.queue;
    parts.push(
      `Queue: ${q.visible} waiting, ${q.inFlight} being copied, **${q.dead} in the dead-letter queue**.`,
    );
  }
  parts.push(`<sub>generated ${report.generatedAt}${report.finished ? " · all finished" : ""}</sub>`);
  return `${parts.join("\n\n")}\n`;
}
