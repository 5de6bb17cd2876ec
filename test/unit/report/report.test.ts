import { describe, expect, it } from "vitest";
import type { Job } from "../../../worker/src/job/index.js";
import { type LedgerSummary, SqliteLedger } from "../../../worker/src/ledger/index.js";
import type { Queue, QueueDepth } from "../../../worker/src/queue/index.js";
import {
  buildReport,
  formatBytes,
  formatDuration,
  migrationReport,
  renderMigrationMarkdown,
  renderReportJson,
  renderReportMarkdown,
  trailingRate,
} from "../../../worker/src/report/index.js";
import { ledgerSummary } from "../../support/ledger-summary.js";

const MiB = 1048576;
const now = new Date("2026-11-26T02:30:00Z");

function summary(over: Partial<LedgerSummary> = {}): LedgerSummary {
  const counts = {
    done: { objects: 8, bytes: 80 * MiB },
    pending: { objects: 2, bytes: 36 * MiB },
    failed: { objects: 1, bytes: MiB },
  };
  return ledgerSummary(
    {
      migration: "photos",
      hours: [
        { hour: "2026-11-26T01", objects: 4, bytes: 36 * MiB },
        { hour: "2026-11-26T02", objects: 4, bytes: 44 * MiB },
      ],
      failures: [
        {
          migration: "photos",
          sourceBucket: "s",
          sourceKey: "a|b`c.txt",
          destinationBucket: "d",
          destinationKey: "x",
          status: "failed",
          size: MiB,
          attempts: 3,
          rev: 3,
          lastError: "AccessDenied:\nno read",
          endedAt: "2026-11-26T02:00:00Z",
        },
      ],
      lastCompareAt: "2026-11-26T00:50:00Z",
      ...over,
    },
    counts,
  );
}

describe("report model", () => {
  it("counts totals by state and the throughput of the trailing hour", () => {
    const m = migrationReport(summary(), now);
    expect(m.objects).toEqual({ total: 11, done: 8, pending: 2, failed: 1, skipped: 0, deleted: 0 });
    expect(m.bytes.total).toBe(117 * MiB);
    // last hour = half of hour 01 (18 MiB) + all of hour 02 so far (44 MiB)
    expect(m.bytesPerSecond).toBeCloseTo((62 * MiB) / 3600, 0);
    expect(m.etaSeconds).toBe(Math.ceil((36 * MiB) / m.bytesPerSecond));
    expect(m.finished).toBe(false);
    expect(m.failures).toEqual([
      { key: "a|b`c.txt", reason: "AccessDenied:\nno read", attempts: 3, at: "2026-11-26T02:00:00Z" },
    ]);
  });

  it("measures the rate since the first copy when the migration is younger than an hour", () => {
    const s = summary({
      hours: [{ hour: "2026-11-26T02", objects: 1, bytes: 60 * MiB, firstAt: "2026-11-26T02:20:00Z" }],
    });
    expect(trailingRate(s, now)).toBeCloseTo((60 * MiB) / 600, 0);
    const noStart = summary({ hours: [{ hour: "2026-11-26T02", objects: 1, bytes: 60 * MiB }] });
    expect(trailingRate(noStart, now)).toBeCloseTo((60 * MiB) / 1800, 0);
  });

  it("has no ETA when nothing moves, and is finished when nothing is in flight", () => {
    const m = migrationReport(ledgerSummary({}, { done: { objects: 1, bytes: 1 } }), now);
    expect(m.etaSeconds).toBeUndefined();
    expect(m.finished).toBe(true);
  });
});

describe("report renderers", () => {
  const report = {
    generatedAt: now.toISOString(),
    migrations: [migrationReport(summary(), now)],
    queue: { visible: 1, inFlight: 1, dead: 4 },
    finished: false,
  };

  it("renders a table, a Mermaid pie of states and an xychart of bytes per hour", () => {
    const md = renderReportMarkdown(report);
    expect(md).toContain("| done | 8 (72%) | 80.0 MiB (68%) |");
    expect(md).toMatch(
      /```mermaid\npie showData\n {2}title Objects by state\n {2}"done" : 8\n {2}"pending" : 2\n {2}"failed" : 1\n```/,
    );
    expect(md).toContain('x-axis ["11-26 01h", "11-26 02h"]');
    expect(md).toContain("bar [36, 44]");
    expect(md).toContain("dead-letter queue**");
  });

  it("folds the failures with their reasons, keeping progress above the fold", () => {
    const md = renderReportMarkdown(report);
    const fold = md.indexOf("<details><summary>1 failed</summary>");
    expect(fold).toBeGreaterThan(md.indexOf("| done |"));
    expect(md.indexOf("AccessDenied", fold)).toBeGreaterThan(fold);
    expect(md.indexOf("</details>", fold)).toBeGreaterThan(md.indexOf("AccessDenied", fold));
  });

  it("keeps a hostile key and reason inside their table cells", () => {
    const md = renderReportMarkdown(report);
    expect(md).toContain("| ``a\\|b`c.txt`` | 3 | `AccessDenied:↵no read` |");
  });

  it("renders the same model as JSON", () => {
    expect(JSON.parse(renderReportJson(report))).toEqual(report);
  });

  it("formats sizes and durations for people", () => {
    expect([formatBytes(0), formatBytes(1536), formatBytes(5 * 1024 ** 4)]).toEqual([
      "0 B",
      "1.5 KiB",
      "5.0 TiB",
    ]);
    expect([formatDuration(42), formatDuration(3725), formatDuration(90000)]).toEqual([
      "42s",
      "1h 2m",
      "1d 1h",
    ]);
  });
});

describe("buildReport", () => {
  it("reads the ledger's migrations and the queue depth; finished needs an empty queue", async () => {
    const ledger = new SqliteLedger({ path: ":memory:" });
    const job: Job = {
      migration: "m1",
      source: { bucket: "s", key: "k", size: 5, etag: "e" },
      destination: { bucket: "d", key: "k" },
    };
    await ledger.enqueue([job], now);
    await ledger.recordCompare("m1", now);
    const run = { workerId: "w", attempt: 1, startedAt: now.toISOString() };
    await ledger.finish(job, { ...run, status: "done", endedAt: now.toISOString(), bytes: 5 });
    let depth: QueueDepth = { visible: 0, inFlight: 1, dead: 2 };
    const queue = { depth: async () => depth } as unknown as Queue;
    let r = await buildReport({ ledger, queue, now: () => now });
    expect(r.migrations.map((m) => [m.migration, m.objects.done, m.finished])).toEqual([["m1", 1, true]]);
    expect(r.queue?.dead).toBe(2);
    expect(r.finished).toBe(false);
    depth = { visible: 0, inFlight: 0, dead: 2 };
    r = await buildReport({ ledger, queue, now: () => now });
    expect(r.finished).toBe(true);
    await ledger.close();
  });
});

describe("every outcome in the report", () => {
  it("lists skipped objects with reasons, counts done objects by verification, and sums retries", async () => {
    const ledger = new SqliteLedger({ path: ":memory:" });
    const job = (key: string): Job => ({
      migration: "m",
      source: { bucket: "s", key, size: 10, etag: "e" },
      destination: { bucket: "d", key },
    });
    await ledger.enqueue([job("a"), job("b"), job("c")], now);
    const run = { workerId: "w", attempt: 1, startedAt: now.toISOString() };
    const endedAt = now.toISOString();
    await ledger.finish(job("a"), {
      ...run,
      status: "done",
      endedAt,
      verification: "source-etag",
      retries: 4,
    });
    await ledger.finish(job("b"), { ...run, status: "done", endedAt, verification: "parts-only" });
    await ledger.finish(job("c"), {
      ...run,
      status: "skipped",
      endedAt,
      reason: "source changed during the copy",
    });
    const [m] = (await buildReport({ ledger, now: () => now })).migrations;
    if (!m) throw new Error("one migration expected");
    expect(m.skips).toEqual([{ key: "c", reason: "source changed during the copy", at: endedAt }]);
    expect(m.verified["source-etag"].objects).toBe(1);
    expect(m.verified["parts-only"].objects).toBe(1);
    expect(m.retries).toBe(4);
    const text = renderMigrationMarkdown(m);
    expect(text).toContain(
      "Verified: **1** against the source's ETag · **0** against its checksum · **1** by parts only",
    );
    expect(text).toContain("requests retried: **4**");
    expect(text).toContain("<summary>1 skipped: the next compare sends them again</summary>");
    expect(text).toContain("`source changed during the copy`");
    await ledger.close();
  });
});

describe("throughput of a finished run", () => {
  it("is measured over the time it copied, not over the idle time since", () => {
    const s = ledgerSummary(
      {
        // copied from 02:00:00 to 02:01:00, read at 02:30
        hours: [
          {
            hour: "2026-11-26T02",
            objects: 10,
            bytes: 600 * MiB,
            firstAt: "2026-11-26T02:00:00.000Z",
            lastAt: "2026-11-26T02:01:00.000Z",
          },
        ],
      },
      { done: { objects: 10, bytes: 600 * MiB } },
    );
    const { counters } = s;
    expect(trailingRate(s, now)).toBeCloseTo((600 * MiB) / 60, 0);
    // while objects are still pending, the current hour runs until now
    counters.pending = { objects: 1, bytes: MiB };
    expect(trailingRate(s, now)).toBeCloseTo((600 * MiB) / 1800, 0);
  });
});
