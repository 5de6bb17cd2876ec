// a namespace import: bundles declare `createRequire` in their banner, and a named import would clash
import { mkdirSync } from "node:fs";
import * as nodeModule from "node:module";
import { dirname } from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import { LongbowError } from "./errors.js";

let loaded: typeof BetterSqlite3 | undefined;

/**
 * The native SQLite module of local mode, loaded on first use rather than at import, so the
 * SQS/DynamoDB path (the worker fleet's and the Lambda function's bundles) runs without it.
 * A synchronous require, not `import()`: the SQLite queue and ledger open their database in
 * their constructors, which callers expect to stay synchronous.
 */
export function betterSqlite3(): typeof BetterSqlite3 {
  if (loaded === undefined) {
    try {
      loaded = nodeModule.createRequire(import.meta.url)("better-sqlite3") as typeof BetterSqlite3;
    } catch (err) {
      throw new LongbowError(
        "SqliteUnavailable",
        "local mode needs the better-sqlite3 module, which this installation does not have; " +
          "use SQS and DynamoDB (LONGBOW_QUEUE_URL and LONGBOW_TABLE_NAME) instead",
        { cause: err },
      );
    }
  }
  return loaded;
}

/**
 * Opens (creating it and its folder if need be) a local-mode database with `schema`:
 * write-ahead log, a wait for another process's lock, and prepared statements kept.
 *
 * `synchronous = NORMAL`: in WAL mode a commit no longer waits for an fsync, which blocked
 * the event loop (and every transfer with it) once per claim, heartbeat and ledger update.
 * A crash of the process loses nothing; a power cut can lose the last commits but never
 * corrupts the file, and what they recorded is redone safely: a job whose "done" was lost
 * is copied again or found identical, a lost enqueue is found again by the next compare.
 *
 * `prepare` returns the statement already prepared for the same SQL: the queue polls and the
 * ledger updates with a handful of fixed statements, and preparing one costs more than
 * running it. (Safe because no caller iterates a statement while running it again.)
 */
export function openSqlite(path: string, schema: string): BetterSqlite3.Database {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new (betterSqlite3())(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  db.exec(schema);
  const prepare = db.prepare.bind(db);
  const prepared = new Map<string, ReturnType<typeof prepare>>();
  db.prepare = ((sql: string) => {
    let statement = prepared.get(sql);
    if (statement === undefined) {
      statement = prepare(sql);
      prepared.set(sql, statement);
    }
    return statement;
  }) as typeof db.prepare;
  return db;
}
