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

await build({
  absWorkingDir: root,
  entryPoints: ["action/src/index.ts"],
  outfile: join(outdir, "index.js"),
  bundle: true,
  platform: "node",
  format: "esm",
  // The runner uses node24; tests and CI also run the bundle on Node 20 and 22.
  target: "node20",
  // The Action talks to SQS and DynamoDB; the laptop-mode SQLite store is native code that
  // cannot be bundled and must never be loaded here.
  external: ["better-sqlite3"],
  // CommonJS dependencies call require() for Node built-ins, which an ES module lacks.
  banner: {
    js: 'import { createRequire as __longbowRequire } from "node:module";\nconst require = __longbowRequire(import.meta.url);',
  },
  legalComments: "eof",
  logLevel: "warning",
});
// The bundle is ESM whatever package.json sits above the checkout.
writeFileSync(join(outdir, "package.json"), '{ "type": "module" }\n');
