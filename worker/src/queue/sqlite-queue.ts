import { randomUUID } from "node:crypto";
import type Database from "better-sqlite3";
import { throwIfAborted } from "../errors.js";
import type { Job } from "../job/index.js";
import { sleep } from "../sleep.js";
import { openSqlite } from "../sqlite-module.js";
import { QueueError } from "./errors.js";
import type { Queue, QueueDepth, QueueMessage, ReceiveOptions } from "./queue.js";

export interface SqliteQueueOptions {
  /** Database file; its folder is created. `:memory:` works for one process. */
  path: string;
  /** Default visibility timeout of a received message. @defaultValue 3600 (the job timeout) */
  visibilitySeconds?: number;
  /**
   * A message received more often than this is dead-lettered on its next receive;
   * `Infinity` never does (local mode, where genuine failures are counted in the ledger and
   * interruptions are not counted at all). @defaultValue 24
   */
  maxReceiveCount?: number;
  /** How often a long poll looks again. @defaultValue 200 */
  pollIntervalMs?: number;
  /** Milliseconds since the epoch. @defaultValue Date.now */
  now?: () => number;
}

interface Row {
  id: string;
  body: string;
  receive_count: number;
  handed_back: number;
}

const schema = `
CREATE TABLE IF NOT EXISTS messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  body TEXT NOT NULL,
  visible_at INTEGER NOT NULL,
  receive_count INTEGER NOT NULL DEFAULT 0,
  receipt TEXT,
  dead INTEGER NOT NULL DEFAULT 0,
  dead_reason TEXT,
  handed_back INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS messages_in_order ON messages (dead, seq);
`;

/** Brings a queue file made by an earlier version up to date: a column, an index. */
function upgrade(db: Database.Database): void {
  // A receive walks live rows in send order and skips the few in flight; the earlier index
  // on (dead, visible_at, seq) made SQLite sort every ready row on each receive instead
  // (8.6 ms a receive with 20,000 queued, against 37 µs: bench/RESULTS.md, issue 18 round 2).
  db.exec("DROP INDEX IF EXISTS messages_ready");
  const columns = db.prepare<[], { name: string }>("PRAGMA table_info(messages)").all();
  if (!columns.some((c) => c.name === "handed_back")) {
    db.exec("ALTER TABLE messages ADD COLUMN handed_back INTEGER NOT NULL DEFAULT 0");
  }
}

function validate(o: Required<Omit<SqliteQueueOptions, "now">>): void {
  if (!Number.isInteger(o.visibilitySeconds) || o.visibilitySeconds < 0) {
    throw new QueueError(
      "InvalidOption",
      `visibilitySeconds must be a whole number >= 0, got ${o.visibilitySeconds}`,
    );
  }
  if (
    (!Number.isInteger(o.maxReceiveCount) && o.maxReceiveCount !== Number.POSITIVE_INFINITY) ||
    o.maxReceiveCount < 1
  ) {
    throw new QueueError(
      "InvalidOption",
      `maxReceiveCount must be a whole number >= 1, got ${o.maxReceiveCount}`,
    );
  }
  if (!(o.pollIntervalMs > 0)) {
    throw new QueueError("InvalidOption", `pollIntervalMs must be > 0, got ${o.pollIntervalMs}`);
  }
}

/**
 * The embedded queue of local mode: one SQLite file (WAL, so several processes can share
 * it) with SQS's semantics: visibility timeout, receive count, dead letter after
 * `maxReceiveCount` receives. A receipt is valid only for its own delivery, as in SQS.
 */
export class SqliteQueue implements Queue {
  private readonly db: Database.Database;
  private readonly visibilitySeconds: number;
  private readonly maxReceiveCount: number;
  private readonly pollIntervalMs: number;
  private readonly now: () => number;

  constructor(options: SqliteQueueOptions) {
    this.visibilitySeconds = options.visibilitySeconds ?? 3600;
    this.maxReceiveCount = options.maxReceiveCount ?? 24;
    this.pollIntervalMs = options.pollIntervalMs ?? 200;
    this.now = options.now ?? Date.now;
    validate({
      path: options.path,
      visibilitySeconds: this.visibilitySeconds,
      maxReceiveCount: this.maxReceiveCount,
      pollIntervalMs: this.pollIntervalMs,
    });
    this.db = openSqlite(options.path, schema);
    upgrade(this.db);
  }

  async send(jobs: readonly Job[], signal?: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    const insert = this.db.prepare("INSERT INTO messages (id, body, visible_at) VALUES (?, ?, ?)");
    const now = this.now();
    this.db.transaction(() => {
      for (const job of jobs) insert.run(randomUUID(), JSON.stringify(job), now);
    })();
  }

  async receive(options: ReceiveOptions = {}): Promise<QueueMessage[]> {
    const max = options.max ?? 10;
    const waitMs = (options.waitSeconds ?? 20) * 1000;
    const visibilityMs = (options.visibilitySeconds ?? this.visibilitySeconds) * 1000;
    const deadline = this.now() + waitMs;
    for (;;) {
      throwIfAborted(options.signal);
      const got = this.take(max, visibilityMs);
      if (got.length > 0 || this.now() >= deadline) return got;
      await sleep(Math.min(this.pollIntervalMs, Math.max(1, deadline - this.now())), options.signal);
    }
  }

  /** Statements are prepared once: every receive and settlement runs the same few. */
  private readonly statements = new Map<string, Database.Statement>();
  private statement<P extends unknown[] = unknown[], R = unknown>(sql: string): Database.Statement<P, R> {
    let stmt = this.statements.get(sql);
    if (stmt === undefined) {
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt as Database.Statement<P, R>;
  }

  private take(max: number, visibilityMs: number): QueueMessage[] {
    // Rows claimed in this call are excluded: with a zero visibility they are ready again at once.
    const select = this.statement<[number, string, number], Row>(
      `SELECT id, body, receive_count, handed_back FROM messages
       WHERE dead = 0 AND visible_at <= ? AND id NOT IN (SELECT value FROM json_each(?))
       ORDER BY seq LIMIT ?`,
    );
    const kill = this.statement("UPDATE messages SET dead = 1, dead_reason = ?, receipt = NULL WHERE id = ?");
    const claim = this.statement(
      "UPDATE messages SET receive_count = receive_count + 1, receipt = ?, visible_at = ? WHERE id = ?",
    );
    // IMMEDIATE takes the write lock up front, so two processes never claim the same row.
    return this.db
      .transaction(() => {
        const now = this.now();
        const out: QueueMessage[] = [];
        const seen: string[] = [];
        while (out.length < max) {
          const rows = select.all(now, JSON.stringify(seen), max - out.length);
          if (rows.length === 0) break;
          for (const row of rows) {
            seen.push(row.id);
            if (row.receive_count >= this.maxReceiveCount) {
              // What SQS's redrive policy does: the receive after the last allowed one moves it.
              kill.run(
                `received ${row.receive_count} times (maxReceiveCount ${this.maxReceiveCount})`,
                row.id,
              );
              continue;
            }
            const receipt = randomUUID();
            claim.run(receipt, now + visibilityMs, row.id);
            out.push({
              id: row.id,
              receipt,
              body: row.body,
              receiveCount: row.receive_count + 1,
              handedBack: row.handed_back,
            });
          }
        }
        return out;
      })
      .immediate();
  }

  private updateByReceipt(message: QueueMessage, sql: string, ...params: unknown[]): void {
    const result = this.statement(`${sql} WHERE id = ? AND receipt = ?`).run(
      ...params,
      message.id,
      message.receipt,
    );
    if (result.changes === 0) {
      throw new QueueError(
        "ReceiptHandleIsInvalid",
        "the message was received again by someone else or is gone",
        {
          context: { messageId: message.id },
        },
      );
    }
  }

  async delete(message: QueueMessage): Promise<void> {
    this.updateByReceipt(message, "DELETE FROM messages");
  }

  async extend(message: QueueMessage, seconds: number): Promise<void> {
    this.updateByReceipt(message, "UPDATE messages SET visible_at = ?", this.now() + seconds * 1000);
  }

  async release(message: QueueMessage, delaySeconds = 0): Promise<void> {
    this.updateByReceipt(
      message,
      "UPDATE messages SET visible_at = ?, receipt = NULL",
      this.now() + delaySeconds * 1000,
    );
  }

  async putBack(message: QueueMessage): Promise<void> {
    this.updateByReceipt(
      message,
      "UPDATE messages SET visible_at = ?, receipt = NULL, receive_count = MAX(receive_count - 1, 0), handed_back = handed_back + 1",
      this.now(),
    );
  }

  async receiveLimit(): Promise<number | undefined> {
    return Number.isFinite(this.maxReceiveCount) ? this.maxReceiveCount : undefined;
  }

  async deadLetter(message: QueueMessage, reason: string): Promise<void> {
    this.updateByReceipt(message, "UPDATE messages SET dead = 1, dead_reason = ?, receipt = NULL", reason);
  }

  /**
   * Hands back every in-flight message, as {@link SqliteQueue.putBack} does: visible now,
   * the interrupted delivery not counted. Only for a process that knows it is the file's
   * sole user (`longbow migrate` starting after it was killed): a live worker's jobs would
   * be handed out twice.
   */
  async releaseInFlight(): Promise<number> {
    const now = this.now();
    return this.db
      .prepare(
        `UPDATE messages SET visible_at = ?, receipt = NULL, receive_count = MAX(receive_count - 1, 0),
         handed_back = handed_back + 1 WHERE dead = 0 AND visible_at > ?`,
      )
      .run(now, now).changes;
  }

  async depth(): Promise<QueueDepth> {
    const row = this.db
      .prepare<[number, number], { visible: number | null; inFlight: number | null; dead: number | null }>(
        `SELECT SUM(dead = 0 AND visible_at <= ?) AS visible,
                SUM(dead = 0 AND visible_at > ?) AS inFlight,
                SUM(dead = 1) AS dead FROM messages`,
      )
      .get(this.now(), this.now());
    return { visible: row?.visible ?? 0, inFlight: row?.inFlight ?? 0, dead: row?.dead ?? 0 };
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
