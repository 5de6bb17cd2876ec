import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it, vi } from "vitest";

// Starts node processes (the CLI, the bundler): on two busy cores that takes longer than a
// unit test's default 5 s, without anything being wrong.
vi.setConfig({ testTimeout: 60_000 });

const run = promisify(execFile);

async function longbow(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run("node", ["bin/longbow.js", ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("longbow validate", () => {
  it("prints every problem as file:line:col  path  message and exits 1", async () => {
    const dir = "test/fixtures/migrations/invalid-sets/duplicate-name";
    const r = await longbow("validate", dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(`${dir}/twice.yml:1:7  name  duplicate name 'twice': also in ${dir}/twice.yaml\n`);
    expect(r.stderr).toContain("1 error(s) in");
  });

  it("exits 0 and prints nothing on stdout for valid migrations", async () => {
    const r = await longbow("validate", "test/fixtures/migrations/valid");
    expect(r).toMatchObject({ code: 0, stdout: "" });
    expect(r.stderr).toContain("3 migration(s) valid");
  });

  it("names every file it does not read, and never says '0 migration(s) valid' of such a folder", async () => {
    const dir = mkdtempSync(join(tmpdir(), "longbow-validate-"));
    try {
      for (const name of ["minimal.YAML", "minimal.json", "minimal.yaml.bak"]) {
        copyFileSync("test/fixtures/migrations/valid/minimal.yaml", join(dir, name));
      }
      const r = await longbow("validate", dir);
      expect(r.code).toBe(0);
      expect(r.stdout.split("\n").filter(Boolean)).toEqual(
        ["minimal.YAML", "minimal.json", "minimal.yaml.bak"].map(
          (n) =>
            `${join(dir, n)}:1:1  (file)  warning: is not read: migration files end in .yaml or .yml (lower case); rename it, or move it out of ${dir}`,
        ),
      );
      expect(r.stderr).toContain(
        `longbow validate: warning: no migration files (*.yaml, *.yml) in ${dir}, 3 warning(s)\n`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
