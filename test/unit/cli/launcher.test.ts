import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { repoRoot } from "../../support/cli.js";

// Each case starts node processes that run esbuild: on two busy cores that takes longer
// than a unit test's default 5 s, without anything being wrong.
vi.setConfig({ testTimeout: 60_000 });

/**
 * A clone in miniature: the real bin/longbow.js and bin/build.mjs, the repository's
 * node_modules (esbuild) linked in or left out, and a CLI entry whose main() prints a word.
 */
function makeClone(options: { devDependencies: boolean }): string {
  const root = mkdtempSync(join(tmpdir(), "longbow-launcher-"));
  mkdirSync(join(root, "bin"));
  for (const f of ["longbow.js", "build.mjs"]) copyFileSync(join(repoRoot, "bin", f), join(root, "bin", f));
  if (options.devDependencies) symlinkSync(join(repoRoot, "node_modules"), join(root, "node_modules"), "dir");
  writeFileSync(join(root, "package.json"), '{ "type": "module" }\n');
  mkdirSync(join(root, "worker", "src", "lambda"), { recursive: true });
  writeFileSync(join(root, "worker", "src", "lambda", "entry.ts"), "export const handler = () => 0;\n");
  writeEntry(root, "first");
  return root;
}

function writeEntry(root: string, word: string): void {
  mkdirSync(join(root, "worker", "src", "cli"), { recursive: true });
  writeFileSync(
    join(root, "worker", "src", "cli", "entry.ts"),
    `import { word } from "./word.js";\nexport async function main(argv: string[]): Promise<number> {\n  process.stdout.write(\`\${word} \${argv.slice(2).join(" ")}\\n\`);\n  return 3;\n}\n`,
  );
  writeFileSync(join(root, "worker", "src", "cli", "word.ts"), `export const word: string = "${word}";\n`);
}

function run(root: string, script: string, args: string[] = []) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [join(root, "bin", script), ...args],
      { cwd: root, env: { PATH: process.env.PATH ?? "" } },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === "number" ? err.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const clones: string[] = [];
afterEach(() => {
  for (const c of clones.splice(0)) rmSync(c, { recursive: true, force: true });
});
const clone = (options = { devDependencies: true }) => {
  const c = makeClone(options);
  clones.push(c);
  return c;
};

describe("bin/longbow.js in a clone with the development dependencies", () => {
  it("builds on the first run, then runs the build without rebuilding", async () => {
    const root = clone();
    const first = await run(root, "longbow.js", ["a", "b"]);
    expect(first).toEqual({
      code: 3,
      stdout: "first a b\n",
      stderr: "longbow: rebuilding dist/longbow.mjs (no build yet)\n",
    });
    const second = await run(root, "longbow.js", ["c"]);
    expect(second).toEqual({ code: 3, stdout: "first c\n", stderr: "" });
  });

  it("rebuilds when a source changes, is added or is removed, and never runs the stale build", async () => {
    const root = clone();
    await run(root, "build.mjs");

    writeEntry(root, "second");
    const changed = await run(root, "longbow.js");
    expect(changed.stdout).toBe("second \n");
    expect(changed.stderr).toMatch(/rebuilding dist\/longbow\.mjs \(worker\/src\/cli\/.*\.ts changed\)/);

    writeFileSync(join(root, "worker", "src", "cli", "unused.ts"), "export {};\n");
    expect((await run(root, "longbow.js")).stderr).toContain("(worker/src/cli/unused.ts is new)");

    rmSync(join(root, "worker", "src", "cli", "unused.ts"));
    expect((await run(root, "longbow.js")).stderr).toContain("(worker/src/cli/unused.ts was removed)");

    writeFileSync(join(root, "package.json"), '{ "type": "module", "version": "2" }\n');
    expect((await run(root, "longbow.js")).stderr).toContain("(package.json changed)");
    expect(await run(root, "longbow.js")).toEqual({ code: 3, stdout: "second \n", stderr: "" });
  });

  it("exits 1 and runs nothing when the rebuild fails", async () => {
    const root = clone();
    await run(root, "build.mjs");
    writeFileSync(join(root, "worker", "src", "cli", "word.ts"), 'export const word: string = "third;\n');
    const r = await run(root, "longbow.js");
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("the rebuild failed, so the stale build is not run");
    expect(r.stderr).toContain("word.ts");
    // still stale: the next run tries again rather than trusting the old build
    expect((await run(root, "longbow.js")).code).toBe(1);
  });

  it("builds once for processes started together on a stale build, and each runs the new one", async () => {
    const root = clone();
    const all = await Promise.all(Array.from({ length: 4 }, () => run(root, "longbow.js", ["x"])));
    expect(all.map((r) => [r.code, r.stdout])).toEqual(Array.from({ length: 4 }, () => [3, "first x\n"]));
    expect(all.filter((r) => r.stderr.includes("rebuilding")).length).toBe(1);
  });
});

describe("bin/longbow.js in an install without the development dependencies", () => {
  it("runs the dist/ it was given, and prepare keeps it", async () => {
    const root = clone();
    await run(root, "build.mjs");
    rmSync(join(root, "node_modules"));
    writeEntry(root, "edited");
    const prepare = await run(root, "build.mjs", ["--prepare"]);
    expect(prepare.code).toBe(0);
    expect(prepare.stderr).toContain("keeping dist/ as it is");
    expect(await run(root, "longbow.js", ["y"])).toEqual({ code: 3, stdout: "first y\n", stderr: "" });
  });

  it("says how to build when there is no dist/", async () => {
    const root = clone({ devDependencies: false });
    const r = await run(root, "longbow.js");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("dist/longbow.mjs is missing: run `npm ci`");
  });
});
