#!/usr/bin/env node
// Lints every workflow and the Action's metadata against GitHub's schemas with
// action-validator; part of `npm run lint`, so `npm test` fails on a broken workflow.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const bin = join(root, "node_modules", ".bin", "action-validator");
const files = [];
const wfDir = join(root, ".github", "workflows");
if (existsSync(wfDir)) {
  for (const f of readdirSync(wfDir).sort()) if (/\.ya?ml$/.test(f)) files.push(join(wfDir, f));
}
const actionYml = join(root, "action", "action.yml");
if (existsSync(actionYml)) files.push(actionYml);

if (files.length === 0) {
  console.error("workflow lint: no workflow files found under .github/workflows");
  process.exit(1);
}
// action-validator 0.6.0 (the latest) embeds a schema that predates the node24 runtime GitHub
// now runs; validate the Action's metadata as node20, which differs in nothing else.
const scratch = mkdtempSync(join(tmpdir(), "longbow-lint-"));
function asValidated(file) {
  if (file !== actionYml) return file;
  const copy = join(scratch, "action.yml");
  writeFileSync(copy, readFileSync(file, "utf8").replace(/^(\s+using:\s*)node24\s*$/m, "$1node20"));
  return copy;
}
let failed = 0;
for (const file of files) {
  const res = spawnSync(bin, [asValidated(file)], { cwd: root, encoding: "utf8" });
  if (res.status !== 0) {
    failed++;
    console.error(`workflow lint: ${file.slice(root.length + 1)}\n${res.stdout}${res.stderr}`);
  }
}
rmSync(scratch, { recursive: true, force: true });
if (failed > 0) process.exit(1);
console.log(`workflow lint: ${files.length} file(s) valid`);
