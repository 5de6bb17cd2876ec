import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { longbowBin, repoRoot } from "../../support/cli.js";

// Each case starts the CLI as a process, several times: on two busy cores that takes longer
// than a unit test's default 5 s, without anything being wrong.
vi.setConfig({ testTimeout: 60_000 });

const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string };

/** Runs `longbow` in `cwd` (a fresh empty folder by default) with no AWS settings around. */
function longbow(args: string[], cwd = mkdtempSync(join(tmpdir(), "longbow-cli-"))) {
  return new Promise<{ code: number; stdout: string; stderr: string; cwd: string }>((resolve) => {
    execFile(
      process.execPath,
      [longbowBin, ...args],
      { cwd, env: { PATH: process.env.PATH ?? "", HOME: cwd } },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === "number" ? err.code : -1;
        resolve({ code, stdout, stderr, cwd });
      },
    );
  });
}

describe("longbow --version", () => {
  it("prints the package version with --version, -V and on a command, and exits 0", async () => {
    for (const args of [["--version"], ["-V"], ["cp", "--version"], ["version"]]) {
      const r = await longbow(args);
      expect({ args, code: r.code, stdout: r.stdout }).toEqual({ args, code: 0, stdout: `${pkg.version}\n` });
    }
  });

  it("adds the Node version with --json", async () => {
    for (const args of [
      ["--version", "--json"],
      ["version", "--json"],
    ]) {
      const r = await longbow(args);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ longbow: pkg.version, node: process.version });
    }
  });
});

describe("flag values", () => {
  const cp = ["cp", "s3://a/b", "s3://c/"];
  it.each([
    [["--parts", "0x10"], "--parts", "expected a whole number"],
    [["--parts", "1e3"], "--parts", "expected a whole number"],
    [["--parts", "0"], "--parts", "must be at least 1"],
    [["--part-size", "6000"], "--part-size", "must be at most 5120 MiB"],
    [["--part-size", "4"], "--part-size", "must be at least 5 MiB"],
    [["--timeout", "1.5"], "--timeout", "expected a whole number seconds"],
    [["--dest-endpoint", "notaurl"], "--dest-endpoint", "expected an absolute URL"],
    [["--source-endpoint", "ftp://x"], "--source-endpoint", "expected an http: or https: URL"],
  ])("cp %j is a usage error naming the flag, in the flag's unit", async (flags, flag, message) => {
    const r = await longbow([...cp, ...flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`option '${flag}`);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toContain("ERR_INVALID_URL");
  });

  it("migrate, plan, send and work reject a hexadecimal count too", async () => {
    for (const args of [
      ["migrate", "--files-in-parallel", "0x10"],
      ["plan", "--parallelism", "0x10"],
      ["send", "--parallelism", "0x10"],
      ["work", "--max-attempts", "0x10"],
    ]) {
      const r = await longbow(args);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
    }
  });
});

describe("help", () => {
  it("cp --help shows the defaults of --parts and --timeout", async () => {
    const r = await longbow(["cp", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--parts <n>\s+parts in flight at once \(default: 20/);
    expect(r.stdout).toMatch(/--timeout <seconds>[^\n]*\(default: 3600\)/);
  });

  it.each(["validate", "plan", "publish", "cp", "send", "work", "migrate", "report", "version"])(
    "%s --help lists its exit codes",
    async (command) => {
      const r = await longbow([command, "--help"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("Exit codes:");
      expect(r.stdout).toMatch(/^\s+2 {2}usage error/m);
    },
  );
});

describe("commands that need a queue and a ledger", () => {
  it.each([["send"], ["work"]])(
    "%s without a queue URL and table is a usage error naming both",
    async (cmd) => {
      const dir = mkdtempSync(join(tmpdir(), "longbow-cli-"));
      const r = await longbow([cmd, ...(cmd === "send" ? ["--dir", dir] : ["--migrations-dir", dir])], dir);
      expect(r.code).toBe(2);
      for (const name of [
        "--queue-url",
        "LONGBOW_QUEUE_URL",
        "--table-name",
        "LONGBOW_TABLE_NAME",
        "--state",
      ])
        expect(r.stderr).toContain(name);
      expect(existsSync(join(dir, ".longbow"))).toBe(false);
    },
  );
});

describe("longbow report", () => {
  it("in a folder without state says so, exits 3 and creates nothing", async () => {
    const r = await longbow(["report"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("no local state in .longbow");
    expect(existsSync(join(r.cwd, ".longbow"))).toBe(false);
  });
});

describe("commands on a folder whose migrations are all disabled", () => {
  it("migrate says so with a hint instead of an empty report", async () => {
    const dir = mkdtempSync(join(tmpdir(), "longbow-cli-"));
    writeFileSync(
      join(dir, "off.yaml"),
      [
        "name: off",
        "enabled: false",
        "source: { bucket: src-bucket, region: us-east-1 }",
        "destination: { bucket: dst-bucket, region: cn-northwest-1, credentials: { profile: cn } }",
        "",
      ].join("\n"),
    );
    const r = await longbow(["migrate", "--dir", dir], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("every migration in");
    expect(r.stderr).toContain("is disabled (off)");
    expect(r.stderr).toContain("--migration off");
    expect(r.stderr).not.toContain("No migrations recorded yet");
    expect(existsSync(join(dir, ".longbow"))).toBe(false);
  });

  it("an unknown --migration is a usage error listing the names there are", async () => {
    const r = await longbow(["migrate", "--dir", join(repoRoot, "migrations"), "--migration", "nope"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no migration named 'nope'");
    expect(r.stderr).toContain("example-global-to-china");
  });
});
