#!/usr/bin/env node
// Starts the bundle `npm run build` writes to dist/longbow.mjs: built JavaScript, so a run
// pays no TypeScript transpile. In a clone with the development dependencies (`npm ci`, whose
// `prepare` builds it), the build is first checked against the sources by mtime and size
// (bin/build.mjs) and rebuilt when anything changed, so a stale build never runs; if the
// rebuild fails, nothing runs. An install without the development dependencies runs the
// dist/ it was given.
import { existsSync } from "node:fs";
import module from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { canBuild, checkBuild, rebuildIfStale } from "./build.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bundled = join(root, "dist", "longbow.mjs");

async function ensureBuild() {
  if (!existsSync(join(root, "worker", "src")) || !canBuild(root)) return true;
  if (checkBuild(root).fresh) return true;
  try {
    await rebuildIfStale(root, (reason) =>
      process.stderr.write(`longbow: rebuilding dist/longbow.mjs (${reason})\n`),
    );
    return true;
  } catch (err) {
    process.stderr.write(
      `longbow: the rebuild failed, so the stale build is not run: ${err instanceof Error ? err.message : String(err)}\n` +
        "Fix the error above and run the command again, or `npm run build` to see the build alone.\n",
    );
    return false;
  }
}

if (!(await ensureBuild())) {
  process.exitCode = 1;
} else if (!existsSync(bundled)) {
  process.stderr.write(
    `longbow: ${bundled} is missing: run \`npm ci\` (which builds it) or \`npm run build\` in ${root}\n`,
  );
  process.exitCode = 1;
} else {
  // V8's code cache on disk: later runs skip compiling the 3.5 MB bundle (Node ≥ 22.1;
  // NODE_DISABLE_COMPILE_CACHE=1 turns it off)
  module.enableCompileCache?.();
  const mod = await import(pathToFileURL(bundled).href);
  process.exitCode = await mod.main(process.argv);
}
