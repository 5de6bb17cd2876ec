#!/usr/bin/env node
// Audits the workflows with zizmor (pinned in test/emulator/requirements.txt, installed into
// the project's .venv by the emulator setup) in offline mode at its default persona; part of
// `npm run lint`, so `npm test` fails on any finding.
import { spawnSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const setup = spawnSync(process.execPath, [join(root, "test/emulator/setup.mjs")], { stdio: "inherit" });
if (setup.status !== 0) {
  console.error("zizmor: the project venv could not be set up (npm run emulator:setup)");
  process.exit(1);
}
const res = spawnSync(
  join(root, ".venv", "bin", "zizmor"),
  ["--offline", "--no-progress", ".github/workflows", "action"],
  { cwd: root, encoding: "utf8" },
);
if (res.error) {
  console.error(`zizmor: could not run: ${res.error.message}`);
  process.exit(1);
}
if (res.status !== 0) {
  console.error(`zizmor: findings in the workflows (exit ${res.status}):\n${res.stdout}${res.stderr}`);
  process.exit(1);
}
const summary = res.stdout.trim().split("\n").pop();
console.log(`zizmor: ${summary}`);
