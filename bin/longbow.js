#!/usr/bin/env node
// Runs the TypeScript sources through tsx when the development toolchain is installed (a
// clone after `npm ci`), so a stale build can never shadow them; otherwise the bundle that
// `npm run build` writes to dist/ (an install without dev dependencies).
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const sources = join(root, "worker", "src", "cli", "main.ts");
const bundled = join(root, "dist", "longbow.mjs");

async function loadSources() {
  try {
    const { register } = await import("tsx/esm/api");
    register();
  } catch {
    return undefined;
  }
  return import(pathToFileURL(sources).href);
}

const mod =
  (existsSync(sources) ? await loadSources() : undefined) ?? (await import(pathToFileURL(bundled).href));
process.exitCode = await mod.main(process.argv);
