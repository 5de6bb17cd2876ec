import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openSqlite } from "../../../worker/src/sqlite-module.js";

const dir = mkdtempSync(join(tmpdir(), "longbow-sqlite-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("openSqlite", () => {
  it("creates the folder and schema, in WAL mode without an fsync per commit", () => {
    const db = openSqlite(join(dir, "nested", "a.db"), "CREATE TABLE IF NOT EXISTS t (k TEXT PRIMARY KEY)");
    try {
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
      expect(db.pragma("synchronous", { simple: true })).toBe(1); // NORMAL
      expect(db.pragma("busy_timeout", { simple: true })).toBe(5000);
      db.prepare("INSERT INTO t VALUES (?)").run("x");
      expect(db.prepare("SELECT k FROM t").all()).toEqual([{ k: "x" }]);
    } finally {
      db.close();
    }
  });

  it("prepares each statement once and hands it out again", () => {
    const db = openSqlite(":memory:", "CREATE TABLE t (k TEXT)");
    try {
      const insert = db.prepare("INSERT INTO t VALUES (?)");
      expect(db.prepare("INSERT INTO t VALUES (?)")).toBe(insert);
      expect(db.prepare("SELECT k FROM t")).not.toBe(insert);
      for (const k of ["a", "b"]) db.prepare("INSERT INTO t VALUES (?)").run(k);
      expect(db.prepare("SELECT count(*) AS n FROM t").get()).toEqual({ n: 2 });
    } finally {
      db.close();
    }
  });

  it("rejects a schema error at open", () => {
    expect(() => openSqlite(":memory:", "CREATE TABLE (")).toThrow(/syntax error/);
  });
});
