// a namespace import: bundles declare `createRequire` in their banner, and a named import would clash
import * as nodeModule from "node:module";
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
