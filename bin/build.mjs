#!/usr/bin/env node
// Builds dist/longbow.mjs and dist/lambda.mjs (`npm run build`, and `prepare` on `npm ci`) and
// records what they were built from, so bin/longbow.js can tell a current build from a stale
// one by a few stat() calls instead of transpiling the sources on every run.
//
//   node bin/build.mjs            build (fails without esbuild)
//   node bin/build.mjs --prepare  build if the development dependencies are installed; an
//                                 install without them keeps the dist/ it was given
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

export const defaultRoot = join(dirname(fileURLToPath(import.meta.url)), "..");

const stampName = "longbow.stamp.json";
const sourceDir = join("worker", "src");
/** Inputs outside worker/src that shape the bundle: dependencies, build options, compiler settings. */
const alwaysWatched = [
  "package.json",
  "package-lock.json",
  join("node_modules", ".package-lock.json"),
  "tsconfig.json",
  join("bin", "build.mjs"),
];

const toPosix = (p) => p.split(sep).join("/");

/** Every file under worker/src, relative to root, in a stable order. */
function sourceFiles(root) {
  const dir = join(root, sourceDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => toPosix(relative(root, join(e.parentPath, e.name))));
}

/** mtime and size of each file; a missing file is recorded as missing, so deleting one counts as a change. */
function statAll(root, paths) {
  const files = {};
  for (const p of [...new Set(paths)].sort()) {
    try {
      const s = statSync(join(root, p));
      files[p] = [s.mtimeMs, s.size];
    } catch {
      files[p] = null;
    }
  }
  return files;
}

function readStamp(root) {
  try {
    const stamp = JSON.parse(readFileSync(join(root, "dist", stampName), "utf8"));
    return stamp && typeof stamp.files === "object" && stamp.files !== null ? stamp : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether dist/longbow.mjs was built from the files as they are now: the same files under
 * worker/src, the same other inputs the last build read (package.json, migrations/schema.json,
 * ...), each with the same mtime and size. Reads no file's contents. Returns the first
 * difference as a reason, for the message that announces a rebuild.
 */
export function checkBuild(root = defaultRoot) {
  if (!existsSync(join(root, "dist", "longbow.mjs"))) return { fresh: false, reason: "no build yet" };
  const stamp = readStamp(root);
  if (!stamp) return { fresh: false, reason: "the build records no sources" };
  const now = statAll(root, [...sourceFiles(root), ...alwaysWatched, ...Object.keys(stamp.files)]);
  for (const [p, s] of Object.entries(now)) {
    const before = stamp.files[p];
    if (before === undefined) return { fresh: false, reason: `${p} is new` };
    if (JSON.stringify(before) !== JSON.stringify(s)) {
      return { fresh: false, reason: s === null ? `${p} was removed` : `${p} changed` };
    }
  }
  return { fresh: true };
}

/** Whether esbuild (a development dependency) can be loaded from root. */
export function canBuild(root = defaultRoot) {
  return existsSync(join(root, "node_modules", "esbuild", "package.json"));
}

const lockStaleMs = 120_000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `fn` holding dist/.build-lock (a directory: mkdir is atomic), so processes started at
 * once (a test suite spawning the CLI) build once rather than each writing the same files. A
 * lock older than two minutes is a builder that died, and is taken over.
 */
async function withLock(root, fn) {
  const lock = join(root, "dist", ".build-lock");
  mkdirSync(join(root, "dist"), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if (err?.code !== "EEXIST") throw err;
      let age = 0;
      try {
        age = Date.now() - statSync(lock).mtimeMs;
      } catch {
        continue;
      }
      if (age > lockStaleMs) rmSync(lock, { recursive: true, force: true });
      else await sleep(100);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * Bundles the CLI and the Lambda handler into dist/ and writes the stamp. The inputs are
 * recorded as they were before esbuild read them, so an edit made during the build shows as
 * a change next time. Outputs are written to a scratch folder and renamed into place, the
 * stamp last, so a process starting meanwhile sees either the old build with its stamp or
 * the new one with its own.
 */
export async function build(root = defaultRoot) {
  const previous = Object.keys(readStamp(root)?.files ?? {});
  const before = statAll(root, [...sourceFiles(root), ...alwaysWatched, ...previous]);
  const { build: esbuild } = await import(join(root, "node_modules", "esbuild", "lib", "main.js"));
  const dist = join(root, "dist");
  const scratch = join(dist, `.build-${process.pid}`);
  rmSync(scratch, { recursive: true, force: true });
  try {
    const result = await esbuild({
      absWorkingDir: root,
      entryPoints: {
        longbow: join(sourceDir, "cli", "entry.ts"),
        lambda: join(sourceDir, "lambda", "entry.ts"),
      },
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node22",
      mainFields: ["module", "main"],
      external: ["better-sqlite3"],
      outdir: scratch,
      outExtension: { ".js": ".mjs" },
      banner: {
        js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
      metafile: true,
      logLevel: "warning",
    });
    // files outside worker/src the bundle read (package.json, migrations/schema.json): watched too
    const read = Object.keys(result.metafile.inputs).filter((p) => !p.includes("node_modules/"));
    const watched = new Set([...sourceFiles(root), ...alwaysWatched, ...read]);
    const files = statAll(root, read);
    for (const [p, s] of Object.entries(before)) if (watched.has(p)) files[p] = s;
    for (const name of readdirSync(scratch)) renameSync(join(scratch, name), join(dist, name));
    const stampTmp = join(dist, `.${stampName}.${process.pid}`);
    writeFileSync(stampTmp, `${JSON.stringify({ files })}\n`);
    renameSync(stampTmp, join(dist, stampName));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Builds unless another process finished a build of the current sources while this one
 * waited for the lock; `onBuild` hears the reason when this process is the one building.
 */
export async function rebuildIfStale(root = defaultRoot, onBuild = () => {}) {
  return withLock(root, async () => {
    const check = checkBuild(root);
    if (!check.fresh) {
      onBuild(check.reason);
      await build(root);
    }
    return check;
  });
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const prepare = process.argv.includes("--prepare");
  if (prepare && !canBuild()) {
    process.stderr.write(
      "longbow: no esbuild (development dependencies not installed): keeping dist/ as it is\n",
    );
  } else {
    try {
      await withLock(defaultRoot, () => build());
    } catch (err) {
      process.stderr.write(`longbow: build failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    }
  }
}
