#!/usr/bin/env node
// The engine's layering, checked on every `npm run lint`. Fails (exit 1, one line per finding) on:
// - a cycle between folders of worker/src (files directly in worker/src are shared helpers),
// - worker/ importing action/ or infra/, or an engine folder importing cli/ (only entry points may),
// - an import across folders that bypasses the folder's index.ts (from worker/, action/ or infra/).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const engine = join(root, "worker", "src");

function sources(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (p.endsWith(".ts") && !p.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

/** The engine folder a path is in (`.` for files directly in worker/src), or undefined outside the engine. */
function folderOf(path) {
  const rel = relative(engine, path);
  if (rel.startsWith("..")) return undefined;
  const parts = rel.split(sep);
  return parts.length === 1 ? "." : parts[0];
}

/** Relative imports of a file, resolved to paths (`.js` specifiers name `.ts` sources). */
function importsOf(file) {
  const text = readFileSync(file, "utf8");
  const found = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+"(\.{1,2}\/[^"]+)"/g)) {
    found.push(resolve(dirname(file), m[1]).replace(/\.js$/, ".ts"));
  }
  return found;
}

const problems = [];
const edges = new Map();
const entryFolders = new Set(["cli"]);

for (const file of [
  ...sources(join(root, "worker")),
  ...sources(join(root, "action", "src")),
  ...sources(join(root, "infra")),
]) {
  const from = folderOf(file);
  const where = relative(root, file);
  for (const target of importsOf(file)) {
    const rel = relative(root, target);
    if (from !== undefined && (rel.startsWith(`action${sep}`) || rel.startsWith(`infra${sep}`))) {
      problems.push(
        `${where}: the engine imports ${rel}; action/ and infra/ depend on the engine, never the reverse`,
      );
      continue;
    }
    const to = folderOf(target);
    if (to === undefined || to === from) continue;
    if (to === "cli" && from !== undefined && !entryFolders.has(from)) {
      problems.push(`${where}: imports ${rel}; nothing but the CLI's own entry points may use cli/`);
    }
    if (to !== "." && relative(join(engine, to), target) !== "index.ts") {
      problems.push(`${where}: imports ${rel} past worker/src/${to}/index.ts; import the folder's index`);
    }
    if (from !== undefined && to !== ".") {
      if (!edges.has(from)) edges.set(from, new Set());
      edges.get(from).add(to);
    }
  }
}

// Cycles between folders: depth-first search for a back edge.
const state = new Map();
const stack = [];
function visit(folder) {
  state.set(folder, "open");
  stack.push(folder);
  for (const next of edges.get(folder) ?? []) {
    if (state.get(next) === "open")
      problems.push(`folder cycle: ${[...stack.slice(stack.indexOf(next)), next].join(" → ")}`);
    else if (!state.has(next)) visit(next);
  }
  stack.pop();
  state.set(folder, "done");
}
for (const folder of edges.keys()) if (!state.has(folder)) visit(folder);

if (problems.length > 0) {
  for (const p of problems) console.error(`layering: ${p}`);
  process.exit(1);
}
console.log(`layering: ${edges.size} engine folders, no cycle, no deep import`);
