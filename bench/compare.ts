/**
 * Compare benchmark: diffs two synthetic listings of 1,000,000 keys each, served by an
 * in-process lister that pages 1,000 keys with a per-page delay standing in for S3
 * (50 ms by default: an in-region ListObjectsV2 page of 1,000 keys takes about that or more).
 *
 *   npm run bench:compare [-- --keys 1000000 --delay-ms 25 --parallelism 16]
 *
 * Each run is bench/compare-run.ts, bundled with esbuild and run by plain `node` in its own
 * process (as the bundled CLI runs), so its peak RSS is its own:
 * 1. CPU: no delay, sequential; keys (source + destination) merged per CPU second.
 * 2. Sequential listing with the delay, then parallel listing (depth 1) with the delay:
 *    wall times and speed-up; both diffs must be equal.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs, promisify } from "node:util";
import { build } from "esbuild";

const { values } = parseArgs({
  options: {
    keys: { type: "string", default: "1000000" },
    "delay-ms": { type: "string", default: "50" },
    parallelism: { type: "string", default: "16" },
  },
});

interface RunResult {
  wall: number;
  cpu: number;
  maxRssMiB: number;
  classes: Record<string, { objects: number; bytes: number }>;
}

const dir = await mkdtemp(join(tmpdir(), "longbow-bench-compare-"));
const bundle = join(dir, "compare-run.mjs");
await build({
  entryPoints: [join(import.meta.dirname, "compare-run.ts")],
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  outfile: bundle,
  logLevel: "error",
  banner: {
    js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  },
});

async function run(delayMs: string, depth: number, nodeFlags: string[] = []): Promise<RunResult> {
  const args = [...nodeFlags, bundle, "--keys", values.keys, "--delay-ms", delayMs, "--depth", String(depth)];
  const { stdout } = await promisify(execFile)(process.execPath, [
    ...args,
    "--parallelism",
    values.parallelism,
  ]);
  return JSON.parse(stdout) as RunResult;
}

const n = Number(values.keys);
const heapCapMiB = 32;
const load0 = loadavg()[0] ?? 0;
try {
  const cpuRun = await run("0", 0);
  const seq = await run(values["delay-ms"], 0);
  const par = await run(values["delay-ms"], 1);
  // V8 sizes the heap from the machine's RAM and collects lazily; a cap shows the live set is small
  const capped = await run(values["delay-ms"], 1, [`--max-old-space-size=${heapCapMiB}`]);
  const same = [seq, capped, cpuRun].every((r) => JSON.stringify(r.classes) === JSON.stringify(par.classes));
  if (!same) {
    throw new Error("parallel and sequential diffs differ");
  }
  const c = cpuRun.classes;
  const count = (x: number) => x.toLocaleString("en-US");
  const lines = [
    `- command: \`npm run bench:compare -- --keys ${values.keys} --delay-ms ${values["delay-ms"]} --parallelism ${values.parallelism}\``,
    `- machine: ${cpus().length} vCPU (${cpus()[0]?.model ?? "unknown"}), ${(totalmem() / 1024 ** 3).toFixed(1)} GiB RAM, Node ${process.version}; load average ${load0.toFixed(2)} at start, ${(loadavg()[0] ?? 0).toFixed(2)} at end (machine shared with other work)`,
    `- date: ${new Date().toISOString()}`,
    `- diff: ${count(n)} source and ${count(n)} destination keys → new ${count(c.new?.objects ?? 0)}, changed ${count(c.changed?.objects ?? 0)}, identical ${count(c.identical?.objects ?? 0)}, ignored ${count(c.ignored?.objects ?? 0)}, extra ${count(c.extra?.objects ?? 0)}`,
    `- CPU (no delay, sequential): ${count(2 * n)} keys in ${cpuRun.cpu.toFixed(2)} s of CPU (${cpuRun.wall.toFixed(2)} s wall) = **${count(Math.round((2 * n) / cpuRun.cpu))} keys/s of CPU** (target ≥ 200,000)`,
    `- peak RSS per run (whole node process): CPU run ${cpuRun.maxRssMiB.toFixed(0)} MiB, sequential ${seq.maxRssMiB.toFixed(0)} MiB, parallel ${par.maxRssMiB.toFixed(0)} MiB (target ≤ 100)`,
    `- parallel run again with \`node --max-old-space-size=${heapCapMiB}\`: peak RSS ${capped.maxRssMiB.toFixed(0)} MiB, ${capped.wall.toFixed(1)} s wall, ${capped.cpu.toFixed(2)} s CPU (the default run's RSS is mostly garbage V8 has not collected yet)`,
    `- listing with ${values["delay-ms"]} ms per 1,000-key page: sequential ${seq.wall.toFixed(1)} s, parallel (depth 1, ${values.parallelism} partitions at once) ${par.wall.toFixed(1)} s = **${(seq.wall / par.wall).toFixed(1)}× speed-up** (target ≥ 10×)`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
