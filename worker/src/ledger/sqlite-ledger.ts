import type Database from "better-sqlite3";
import type { Job } from "../job/index.js";
import { openSqlite } from "../sqlite-module.js";
import type { ResumeStore } from "../transfer/index.js";
import { type FanoutChange, fanoutChanges, fanoutsListed, progressOf } from "./fanout-state.js";
import { copiedFromItems, freshItem, resumeFields, resumePointOf, setOrDelete } from "./items.js";
import type {
  CopiedFrom,
  EnqueueOptions,
  FanoutStart,
  FanoutState,
  HourTally,
  JobOutcome,
  JobRun,
  Ledger,
  LedgerItem,
  LedgerSummary,
} from "./ledger.js";
import {
  type CounterDelta,
  clip,
  countersFrom,
  firstAt,
  hourOf,
  hourTallyOf,
  planEnqueue,
  planFinish,
} from "./transitions.js";

export interface SqliteLedgerOptions {
  /** Database file; its folder is created. Several processes may share it (WAL). */
  path: string;
}

const schema = `
CREATE TABLE IF NOT EXISTS objects (
  migration TEXT NOT NULL,
  source_bucket TEXT NOT NULL,
  source_key TEXT NOT NULL,
  status TEXT NOT NULL,
  ended_at TEXT,
  item TEXT NOT NULL,
  PRIMARY KEY (migration, source_key)
);
CREATE INDEX IF NOT EXISTS objects_status ON objects (migration, status, ended_at);
CREATE TABLE IF NOT EXISTS counters (
  migration TEXT NOT NULL, bucket TEXT NOT NULL,
  objects INTEGER NOT NULL DEFAULT 0, bytes INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (migration, bucket)
);
CREATE TABLE IF NOT EXISTS hours (
  migration TEXT NOT NULL, hour TEXT NOT NULL, first_at TEXT,
  objects INTEGER NOT NULL DEFAULT 0, bytes INTEGER NOT NULL DEFAULT 0,
  last_at TEXT,
  PRIMARY KEY (migration, hour)
);
CREATE TABLE IF NOT EXISTS meta (migration TEXT PRIMARY KEY, last_compare_at TEXT);
CREATE TABLE IF NOT EXISTS fanouts (
  migration TEXT NOT NULL, source_key TEXT NOT NULL, ended TEXT, state TEXT NOT NULL,
  PRIMARY KEY (migration, source_key)
);
`;

/**
 * The embedded ledger of local mode. Every transition runs in one SQLite transaction, so
 * the item and the counters always agree, even with several processes on one file.
 */
export class SqliteLedger implements Ledger {
  private readonly db: Database.Database;

  constructor(options: SqliteLedgerOptions) {
    this.db = openSqlite(options.path, schema);
    // a ledger file made before hours kept their last copy's end
    const columns = this.db.prepare<[], { name: string }>("PRAGMA table_info(hours)").all();
    if (!columns.some((c) => c.name === "last_at")) this.db.exec("ALTER TABLE hours ADD COLUMN last_at TEXT");
  }

  private read(migration: string, key: string): LedgerItem | undefined {
    const row = this.db
      .prepare<[string, string], { item: string }>(
        "SELECT item FROM objects WHERE migration = ? AND source_key = ?",
      )
      .get(migration, key);
    return row ? (JSON.parse(row.item) as LedgerItem) : undefined;
  }

  private write(item: LedgerItem): void {
    this.db
      .prepare(
        `INSERT INTO objects (migration, source_bucket, source_key, status, ended_at, item) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (migration, source_key)
         DO UPDATE SET status = excluded.status, ended_at = excluded.ended_at, item = excluded.item`,
      )
      .run(
        item.migration,
        item.sourceBucket,
        item.sourceKey,
        item.status,
        item.endedAt ?? null,
        JSON.stringify(item),
      );
  }

  private count(migration: string, delta: CounterDelta): void {
    const add = this.db.prepare(
      `INSERT INTO counters (migration, bucket, objects, bytes) VALUES (?, ?, ?, ?)
       ON CONFLICT (migration, bucket) DO UPDATE SET objects = objects + excluded.objects, bytes = bytes + excluded.bytes`,
    );
    for (const [bucket, t] of Object.entries(delta)) add.run(migration, bucket, t.objects, t.bytes);
  }

  async enqueue(jobs: readonly Job[], now: Date, options: EnqueueOptions = {}): Promise<Job[]> {
    return this.db
      .transaction(() => {
        const accepted: Job[] = [];
        for (const job of jobs) {
          const plan = planEnqueue(this.read(job.migration, job.source.key), job, now, options);
          if (!plan) continue;
          this.write(plan.item);
          this.count(job.migration, plan.delta);
          accepted.push(job);
        }
        return accepted;
      })
      .immediate();
  }

  async finish(job: Job, outcome: JobOutcome): Promise<boolean> {
    return this.db
      .transaction(() => {
        const old = this.read(job.migration, job.source.key);
        const plan = planFinish(old, job, outcome);
        if (!plan) return false;
        this.write(plan.item);
        this.count(job.migration, plan.delta);
        const tally = hourTallyOf(outcome);
        if (tally !== undefined) {
          this.db
            .prepare(
              `INSERT INTO hours (migration, hour, first_at, objects, bytes, last_at) VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT (migration, hour) DO UPDATE SET objects = objects + excluded.objects,
               bytes = bytes + excluded.bytes, last_at = MAX(COALESCE(last_at, ''), excluded.last_at)`,
            )
            .run(
              job.migration,
              hourOf(outcome.endedAt),
              firstAt(outcome),
              tally.objects,
              tally.bytes,
              outcome.endedAt,
            );
        }
        return true;
      })
      .immediate();
  }

  /** Applies `change` to the item (created from the job if absent) in one transaction. */
  private update(job: Job, change: (item: LedgerItem) => void): LedgerItem {
    return this.db
      .transaction(() => {
        const item: LedgerItem = this.read(job.migration, job.source.key) ?? freshItem(job);
        change(item);
        item.rev += 1;
        this.write(item);
        return item;
      })
      .immediate();
  }

  async noteError(
    job: Job,
    run: JobRun,
    reason: string,
    options: { retries?: number } = {},
  ): Promise<number> {
    const item = this.update(job, (item) => {
      item.lastError = clip(reason);
      item.attempts += 1;
      item.failures = (item.failures ?? 0) + 1;
      if (options.retries) item.retries = (item.retries ?? 0) + options.retries;
      item.workerId = run.workerId;
      item.startedAt = run.startedAt;
    });
    if (options.retries) this.count(job.migration, { retries: { objects: options.retries, bytes: 0 } });
    return item.failures ?? 1;
  }

  async get(job: Pick<Job, "migration" | "source">): Promise<LedgerItem | undefined> {
    return this.read(job.migration, job.source.key);
  }

  resumeStore(run: JobRun): ResumeStore {
    return {
      load: async (job) => {
        const item = this.read(job.migration, job.source.key);
        return item?.uploadId !== undefined && item.partSize !== undefined ? resumePointOf(item) : undefined;
      },
      save: async (job, point) => {
        this.update(job, (item) => {
          if (item.status === "queued" || item.status === "running") item.status = "running";
          item.uploadId = point.uploadId;
          item.partSize = point.partSize;
          setOrDelete(item, "partLayout", point.layout);
          setOrDelete(item, "layoutGuessed", point.layoutGuessed);
          setOrDelete(item, "resumeEtag", point.sourceEtag);
          setOrDelete(item, "resumeVersionId", point.sourceVersionId);
          setOrDelete(item, "completingEtag", point.completing);
          item.workerId = run.workerId;
          item.startedAt = run.startedAt;
        });
      },
      clear: async (job) => {
        this.update(job, (item) => {
          for (const f of resumeFields) delete item[f];
        });
      },
    };
  }

  async items(migration: string, sourceKeys: readonly string[]): Promise<Map<string, LedgerItem>> {
    const out = new Map<string, LedgerItem>();
    for (const key of sourceKeys) {
      const item = this.read(migration, key);
      if (item !== undefined) out.set(key, item);
    }
    return out;
  }

  async copiedFrom(migration: string, sourceKeys: string[]): Promise<Map<string, CopiedFrom>> {
    return copiedFromItems(await this.items(migration, sourceKeys));
  }

  async recordCompare(migration: string, at: Date): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO meta (migration, last_compare_at) VALUES (?, ?)
         ON CONFLICT (migration) DO UPDATE SET last_compare_at = excluded.last_compare_at`,
      )
      .run(migration, at.toISOString());
  }

  async summary(migration: string, options: { failureLimit?: number } = {}): Promise<LedgerSummary> {
    const rows = new Map(
      this.db
        .prepare<[string], { bucket: string; objects: number; bytes: number }>(
          "SELECT bucket, objects, bytes FROM counters WHERE migration = ?",
        )
        .all(migration)
        .map((r) => [r.bucket, { objects: r.objects, bytes: r.bytes }]),
    );
    const { counters, verified, retries } = countersFrom((key) => rows.get(key) ?? { objects: 0, bytes: 0 });
    const hours = this.db
      .prepare<[string], HourTally>(
        "SELECT hour, first_at AS firstAt, last_at AS lastAt, objects, bytes FROM hours WHERE migration = ? ORDER BY hour",
      )
      .all(migration);
    const inState = (status: "failed" | "skipped") =>
      this.db
        .prepare<[string, string, number], { item: string }>(
          "SELECT item FROM objects WHERE migration = ? AND status = ? ORDER BY ended_at LIMIT ?",
        )
        .all(migration, status, options.failureLimit ?? 20)
        .map((r) => JSON.parse(r.item) as LedgerItem);
    const meta = this.db
      .prepare<[string], { last_compare_at: string | null }>(
        "SELECT last_compare_at FROM meta WHERE migration = ?",
      )
      .get(migration);
    const summary: LedgerSummary = {
      migration,
      counters,
      verified,
      retries,
      hours: hours.map(({ firstAt, lastAt, ...h }) => ({
        ...h,
        ...(firstAt ? { firstAt } : {}),
        ...(lastAt ? { lastAt } : {}),
      })),
      failures: inState("failed"),
      skips: inState("skipped"),
    };
    if (meta?.last_compare_at) summary.lastCompareAt = meta.last_compare_at;
    const fanouts = this.db
      .prepare<[string, number], { source_key: string; state: string }>(
        "SELECT source_key, state FROM fanouts WHERE migration = ? AND ended IS NULL ORDER BY source_key LIMIT ?",
      )
      .all(migration, fanoutsListed)
      .map((r) => progressOf(r.source_key, JSON.parse(r.state) as FanoutState));
    if (fanouts.length > 0) summary.fanouts = fanouts;
    return summary;
  }

  private readFanout(job: Pick<Job, "migration" | "source">): FanoutState | undefined {
    const row = this.db
      .prepare<[string, string], { state: string }>(
        "SELECT state FROM fanouts WHERE migration = ? AND source_key = ?",
      )
      .get(job.migration, job.source.key);
    return row ? (JSON.parse(row.state) as FanoutState) : undefined;
  }

  private writeFanout(job: Job, state: FanoutState): void {
    this.db
      .prepare(
        `INSERT INTO fanouts (migration, source_key, ended, state) VALUES (?, ?, ?, ?)
         ON CONFLICT (migration, source_key) DO UPDATE SET ended = excluded.ended, state = excluded.state`,
      )
      .run(job.migration, job.source.key, state.ended ?? null, JSON.stringify(state));
  }

  /** Reads the fan-out record, plans, and writes what the plan returns, in one transaction. */
  private async changeFanout<T>(job: Job, plan: FanoutChange<T>): Promise<T> {
    return this.db
      .transaction(() => {
        const { write, out } = plan(this.readFanout(job));
        if (write !== undefined) this.writeFanout(job, write);
        return out;
      })
      .immediate();
  }

  openFanout(job: Job, fanout: FanoutStart): Promise<FanoutState> {
    return this.changeFanout(job, fanoutChanges.open(fanout));
  }

  rangeDone(
    job: Job,
    uploadId: string,
    range: { index: number; parts: number },
  ): Promise<FanoutState | undefined> {
    return this.changeFanout(job, fanoutChanges.rangeDone(uploadId, range));
  }

  claimCompletion(job: Job, uploadId: string, index: number): Promise<boolean> {
    return this.changeFanout(job, fanoutChanges.claim(uploadId, index));
  }

  async endFanout(
    job: Job,
    uploadId: string,
    ended: "completed" | "aborted",
    reason?: string,
  ): Promise<void> {
    await this.changeFanout(job, fanoutChanges.end(uploadId, ended, reason));
  }

  async fanout(job: Pick<Job, "migration" | "source">): Promise<FanoutState | undefined> {
    return this.readFanout(job);
  }

  async migrations(): Promise<string[]> {
    return this.db
      .prepare<[], { migration: string }>(
        "SELECT migration FROM meta UNION SELECT migration FROM counters ORDER BY migration",
      )
      .all()
      .map((r) => r.migration);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
