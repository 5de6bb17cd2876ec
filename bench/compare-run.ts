/**
 * One measured compare run, in its own process so its peak RSS is its own. Spawned by
 * bench/compare.ts (bundled first, so the TypeScript loader's memory is not counted);
 * prints one JSON line.
 */
import { parseArgs } from "node:util";
import {
  compareListingChunks,
  type ListedObject,
  type SortedObjects,
  virtualLister,
} from "../worker/src/compare/index.js";
import { normalizeMigration } from "../worker/src/config/index.js";
import { planFromDiff } from "../worker/src/plan/index.js";

const { values } = parseArgs({
  options: {
    keys: { type: "string", default: "1000000" },
    "delay-ms": { type: "string", default: "0" },
    depth: { type: "string", default: "0" },
    parallelism: { type: "string", default: "16" },
  },
});
const n = Number(values.keys);
const perPrefix = 10_000;

const pad = (x: number, w: number) => String(x).padStart(w, "0");
// top-level prefixes of 10,000 keys each, sorted by construction (zero-padded indexes)
const srcKey = (i: number) =>
  `${pad(Math.floor(i / perPrefix), 4)}/obj-${pad(i, 8)}.${i % 50 === 0 ? "tmp" : "bin"}`;

// Keys are computed on demand, so memory shows the compare's footprint, not the fixture's
const source: SortedObjects = {
  length: n,
  at: (i): ListedObject => ({ key: `data/${srcKey(i)}`, size: 1024 + (i % 4096), etag: `e${i}` }),
};
// 1% of source keys are missing at the destination (new; an extra sits next to each), 1% differ in size
const destination: SortedObjects = {
  length: n,
  at: (i): ListedObject => ({
    key: `copy/${srcKey(i)}${i % 100 === 3 ? "x" : ""}`,
    size: 1024 + (i % 4096) + (i % 100 === 1 ? 1 : 0),
    etag: `e${i}`,
  }),
};

const migration = normalizeMigration({
  name: "bench",
  source: { bucket: "src", prefix: "data/", region: "us-east-1" },
  destination: { bucket: "dst", prefix: "copy/", region: "cn-northwest-1", credentials: { profile: "cn" } },
  ignore: ["*.tmp"],
});

const delayMs = Number(values["delay-ms"]);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const plan = await planFromDiff(
  migration,
  compareListingChunks(migration, {
    sourceLister: virtualLister({ src: source }, { delayMs }),
    destinationLister: virtualLister({ dst: destination }, { delayMs }),
    depth: Number(values.depth),
    parallelism: Number(values.parallelism),
  }),
  100_000_000,
);
const wall = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
process.stdout.write(
  `${JSON.stringify({
    wall,
    cpu: (cpu.user + cpu.system) / 1e6,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    classes: plan.classes,
  })}\n`,
);
