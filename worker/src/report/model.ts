import type {
  FanoutProgress,
  Ledger,
  LedgerItem,
  LedgerSummary,
  VerificationCounts,
} from "../ledger/index.js";
import type { Queue, QueueDepth } from "../queue/index.js";

/**
 * Objects or bytes of one migration by state, from the ledger's counters. `pending` =
 * queued or being copied: the queue's `visible` (waiting) plus `inFlight` (being copied)
 * when nothing else shares the queue.
 */
export interface StateTotals {
  total: number;
  /** Copied (or found identical): at the destination. */
  done: number;
  pending: number;
  failed: number;
  skipped: number;
  /** Mirror mode: destination objects deleted (or found already gone); never a copy. */
  deleted: number;
}

export interface ReportFailure {
  key: string;
  reason: string;
  attempts: number;
  /** ISO time of the failure. */
  at?: string;
}

/**
 * A skipped object: its source changed or vanished during the copy (the next compare sends
 * it again), or a mirror deletion kept it (rewritten since listed, or its source is back).
 */
export interface ReportSkip {
  key: string;
  reason: string;
  /** ISO time it was skipped. */
  at?: string;
}

/** One migration's progress: what a sticky PR comment or `longbow report` shows. */
export interface MigrationReport {
  migration: string;
  objects: StateTotals;
  bytes: StateTotals;
  /** Bytes per second over the last hour (or since the first active hour when that is sooner). */
  bytesPerSecond: number;
  /** Seconds until the pending bytes are copied at that rate; undefined when nothing moves. */
  etaSeconds?: number;
  /** Nothing pending for this migration. */
  finished: boolean;
  /** First failures (oldest first) with reasons; `objects.failed` has the full count. */
  failures: ReportFailure[];
  /** First skipped objects (oldest first) with reasons; `objects.skipped` has the full count. */
  skips: ReportSkip[];
  /**
   * Done objects by what proved their bytes: `source-etag` (the source's ETag),
   * `source-checksum` (its additional checksum), `parts-only` (nothing on the source side
   * could; every part still verified on its way to the destination), `content-md5` (an
   * SSE-KMS destination: its acceptance of each part's Content-MD5 proves what it received).
   */
  verified: VerificationCounts;
  /** Requests retried (SDK retries and re-read bodies) over the migration. */
  retries: number;
  /** Bytes finished per UTC hour, oldest first, at most the last 24 hours with activity. */
  bytesPerHour: { hour: string; bytes: number; objects: number }[];
  /** ISO time of the last compare (send), if any. */
  lastCompareAt?: string;
  /** Objects being copied by the whole fleet in part ranges, each one object, with its progress by parts. */
  fanouts?: FanoutProgress[];
}

/** The report over every migration asked for, plus the shared queue's depth. */
export interface Report {
  generatedAt: string;
  migrations: MigrationReport[];
  /** The job queue: waiting, in flight, dead letters. Absent when no queue was given. */
  queue?: QueueDepth;
  /** Every migration finished and, when known, the queue is empty. */
  finished: boolean;
}

export interface BuildReportOptions {
  ledger: Ledger;
  /** For the dead-letter depth and the queue's own view of work in flight. */
  queue?: Queue;
  /** Migrations to report. @defaultValue every migration the ledger knows */
  migrations?: readonly string[];
  /** @defaultValue 20 */
  failureLimit?: number;
  /** @defaultValue () => new Date() */
  now?: () => Date;
  signal?: AbortSignal;
}

const hourMs = 3_600_000;

/**
 * Bytes per second over the trailing hour, from per-hour tallies: bytes are taken as spread
 * evenly from the hour's first copy start (or the hour's start) to its end, or now, or, once
 * nothing is pending, its last copy's end: a finished run is measured over the time it
 * copied, not diluted by the idle time since.
 */
export function trailingRate(summary: LedgerSummary, now: Date): number {
  const t = now.getTime();
  const idle = summary.counters.pending.objects === 0;
  const spans = summary.hours.map((h) => {
    const hourStart = Date.parse(`${h.hour}:00:00Z`);
    const start = h.firstAt ? Math.max(hourStart, Date.parse(h.firstAt)) : hourStart;
    const lastEnd = idle && h.lastAt ? Date.parse(h.lastAt) : Number.POSITIVE_INFINITY;
    return { start, end: Math.min(hourStart + hourMs, t, Math.max(start, lastEnd)), bytes: h.bytes };
  });
  // A migration younger than an hour is measured from its first copy, not over idle time.
  const windowEnd = idle && spans.length > 0 ? Math.max(...spans.map((s) => s.end)) : t;
  const windowStart = Math.max(windowEnd - hourMs, spans[0]?.start ?? windowEnd);
  let bytes = 0;
  for (const s of spans) {
    const overlap = s.end - Math.max(s.start, windowStart);
    const span = s.end - s.start;
    if (overlap > 0 && span > 0) bytes += s.bytes * Math.min(1, overlap / span);
    else if (span <= 0 && s.start >= windowStart) bytes += s.bytes;
  }
  const seconds = (windowEnd - windowStart) / 1000;
  return seconds > 0 ? bytes / seconds : 0;
}

const at = (item: LedgerItem): { at?: string } => (item.endedAt ? { at: item.endedAt } : {});

/** Turns one ledger summary into the report model. Pure: the clock is an argument. */
export function migrationReport(summary: LedgerSummary, now: Date): MigrationReport {
  const c = summary.counters;
  const totals = (f: "objects" | "bytes"): StateTotals => ({
    total: c.pending[f] + c.done[f] + c.failed[f] + c.skipped[f] + c.deleted[f],
    done: c.done[f],
    pending: c.pending[f],
    failed: c.failed[f],
    skipped: c.skipped[f],
    deleted: c.deleted[f],
  });
  const bytesPerSecond = trailingRate(summary, now);
  const bytes = totals("bytes");
  const objects = totals("objects");
  const report: MigrationReport = {
    migration: summary.migration,
    objects,
    bytes,
    bytesPerSecond,
    finished: objects.pending === 0,
    failures: summary.failures.map((f) => ({
      key: f.sourceKey,
      reason: f.lastError ?? "unknown",
      attempts: f.attempts,
      ...at(f),
    })),
    skips: summary.skips.map((f) => ({ key: f.sourceKey, reason: f.lastError ?? "unknown", ...at(f) })),
    verified: summary.verified,
    retries: summary.retries,
    bytesPerHour: summary.hours.slice(-24).map((h) => ({ hour: h.hour, bytes: h.bytes, objects: h.objects })),
  };
  if (bytesPerSecond > 0 && objects.pending > 0)
    report.etaSeconds = Math.ceil(bytes.pending / bytesPerSecond);
  if (summary.lastCompareAt) report.lastCompareAt = summary.lastCompareAt;
  if (summary.fanouts && summary.fanouts.length > 0) report.fanouts = summary.fanouts;
  return report;
}

/**
 * Builds the report with a handful of reads per migration (counters, hours, first
 * failures) and one queue depth read: never a scan of the objects.
 */
export async function buildReport(options: BuildReportOptions): Promise<Report> {
  const now = (options.now ?? (() => new Date()))();
  const names = options.migrations ?? (await options.ledger.migrations(options.signal));
  const migrations: MigrationReport[] = [];
  for (const name of names) {
    const summary = await options.ledger.summary(name, {
      failureLimit: options.failureLimit ?? 20,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    migrations.push(migrationReport(summary, now));
  }
  const report: Report = {
    generatedAt: now.toISOString(),
    migrations,
    finished: migrations.every((m) => m.finished),
  };
  if (options.queue) {
    report.queue = await options.queue.depth(options.signal);
    report.finished &&= report.queue.visible + report.queue.inFlight === 0;
  }
  return report;
}
