#!/usr/bin/env node
// Runs the bundled CLI when it has been built (`npm run build`), else the TypeScript
// sources through tsx (a development dependency).
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bundled = join(root, "dist", "longbow.mjs");
let mod;
if (existsSync(bundled)) {
  mod = await import(pathToFileURL(bundled).href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  mod = await import(pathToFileURL(join(root, "worker", "src", "cli", "main.ts")).href);
}
process.exitCode = await mod.main(process.argv);
