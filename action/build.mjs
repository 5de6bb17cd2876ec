#!/usr/bin/env node
// Bundles the Action into one ES module, `action/dist/index.js` (or the folder given as the
// first argument, which the dist check uses). Deterministic: no timestamps, no absolute paths,
// no source maps, so a rebuild from the same sources is byte-identical.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = resolve(process.argv[2] ?? join(root, "action", "dist"));
mkdirSync(outdir, { recursive: true });

// The Action talks to SQS and DynamoDB only. The laptop-mode SQLite store is native code that
// cannot be bundled, and the runner has no node_modules to load it from; engine modules may
// still import it on the way, so it is replaced by a stub that fails loudly if ever used.
const withoutSqlite = {
  name: "without-sqlite",
  setup(b) {
    b.onResolve({ filter: /^better-sqlite3$/ }, () => ({
      path: "better-sqlite3",
      namespace: "longbow-stub",
    }));
    b.onLoad({ filter: /.*/, namespace: "longbow-stub" }, () => ({
      contents:
        'export default function Database() { throw new Error("the Longbow Action has no SQLite store; use queue-url and table-name"); }',
      loader: "js",
    }));
  },
};

await build({
  absWorkingDir: root,
  entryPoints: ["action/src/index.ts"],
  outfile: join(outdir, "index.js"),
  bundle: true,
  platform: "node",
  format: "esm",
  // The runner uses node24; tests and CI also run the bundle on Node 22 (the fleet's).
  target: "node22",
  plugins: [withoutSqlite],
  // CommonJS dependencies call require() for Node built-ins, which an ES module lacks.
  banner: {
    js: 'import { createRequire as __longbowRequire } from "node:module";\nconst require = __longbowRequire(import.meta.url);',
  },
  legalComments: "eof",
  logLevel: "warning",
});
// The bundle is ESM whatever package.json sits above the checkout.
writeFileSync(join(outdir, "package.json"), '{ "type": "module" }\n');
