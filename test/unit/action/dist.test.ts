import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";

// Starts node processes (the CLI, the bundler): on two busy cores that takes longer than a
// unit test's default 5 s, without anything being wrong.
vi.setConfig({ testTimeout: 60_000 });

const root = join(import.meta.dirname, "..", "..", "..");
const committed = join(root, "action", "dist");

describe("action/dist", () => {
  const fresh = mkdtempSync(join(tmpdir(), "longbow-dist-"));
  afterAll(() => rmSync(fresh, { recursive: true, force: true }));

  it("is what `npm run bundle:action` builds from the current sources", () => {
    execFileSync(process.execPath, [join(root, "action", "build.mjs"), fresh], { cwd: root });
    expect(readdirSync(fresh).sort()).toEqual(readdirSync(committed).sort());
    for (const file of readdirSync(fresh)) {
      const same = readFileSync(join(fresh, file)).equals(readFileSync(join(committed, file)));
      // On failure: run `npm run bundle:action` and commit action/dist with the source change.
      expect(same, `action/dist/${file} is out of date; run npm run bundle:action`).toBe(true);
    }
  });

  it("runs on its own, without node_modules or the native SQLite module", () => {
    const bundle = readFileSync(join(committed, "index.js"), "utf8");
    expect(bundle).not.toMatch(/better_sqlite3\.node|require\("better-sqlite3"\)|from "better-sqlite3"/);
    // A runner checks out the repository without installing anything: load the bundle from
    // a folder with no node_modules above it.
    const alone = mkdtempSync(join(tmpdir(), "longbow-alone-"));
    try {
      cpSync(committed, join(alone, "dist"), { recursive: true });
      mkdirSync(join(alone, "migrations"));
      const out = execFileSync(process.execPath, [join(alone, "dist", "index.js")], {
        cwd: alone,
        env: { PATH: process.env.PATH ?? "", INPUT_COMMAND: "validate", GITHUB_WORKSPACE: alone },
        encoding: "utf8",
      });
      expect(out).toContain("All 0 migration file(s) are valid.");
    } finally {
      rmSync(alone, { recursive: true, force: true });
    }
  });
});
