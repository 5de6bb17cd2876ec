#!/usr/bin/env node
// Idempotent: creates .venv/ at the project root and installs test/emulator/requirements.txt
// into it. A stamp file holds a hash of the requirements, so a second run costs one file read.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const venv = join(root, ".venv");
const requirements = join(root, "test/emulator/requirements.txt");
const stamp = join(venv, ".longbow-requirements");
const python = process.env.LONGBOW_PYTHON ?? "python3";

const wanted = createHash("sha256").update(readFileSync(requirements)).digest("hex");
const venvPython = join(venv, "bin", "python");

if (existsSync(stamp) && readFileSync(stamp, "utf8") === wanted && existsSync(venvPython)) {
  process.exit(0);
}

function run(cmd, args) {
  const res = spawnSync(cmd, args, { stdio: "inherit" });
  if (res.error) {
    console.error(`emulator setup: could not run ${cmd}: ${res.error.message}`);
    process.exit(1);
  }
  if (res.status !== 0) {
    console.error(`emulator setup: '${cmd} ${args.join(" ")}' exited with ${res.status}`);
    process.exit(res.status ?? 1);
  }
}

const version = spawnSync(python, ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"], {
  encoding: "utf8",
});
if (version.status !== 0) {
  console.error(`emulator setup: ${python} not found; install Python >= 3.10 or set LONGBOW_PYTHON`);
  process.exit(1);
}
const [major, minor] = version.stdout.trim().split(".").map(Number);
if (major < 3 || (major === 3 && minor < 10)) {
  console.error(`emulator setup: Python >= 3.10 required, ${python} is ${version.stdout.trim()}`);
  process.exit(1);
}

console.log(`emulator setup: installing ${requirements} into ${venv}`);
if (!existsSync(venvPython)) run(python, ["-m", "venv", venv]);
run(venvPython, ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", requirements]);
writeFileSync(stamp, wanted);
console.log("emulator setup: done");
