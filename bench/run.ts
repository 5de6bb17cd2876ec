/**
 * `npm run bench`: Longbow against rclone between the two emulated partitions, directly and
 * over the emulated long link. See bench/README.md for the suites, flags and targets.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { build } from "esbuild";
import { s3For } from "../test/emulator/clients.js";
import { createBucket, deleteBucket } from "./lib/buckets.js";
import { type CopyPath, type CopyRunContext, runCopy } from "./lib/copy-run.js";
import { datasetObjects, describeDataset, parseDataset, seedDataset } from "./lib/dataset.js";
import { startBenchEmulators } from "./lib/emulators.js";
import { describeMachine, machineInfo } from "./lib/machine.js";
import { type RunResult, renderCpu, renderRequests, renderTable } from "./lib/results.js";
import { parseSize } from "./lib/sizes.js";
import { parseSettingsEnv, suites, toolsByName, tunedSettings } from "./lib/suites.js";
import { renderTargets } from "./lib/targets.js";
import { startWanProxyProcess, type WanProxyProcess } from "./wan/proxy-process.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

const program = new Command("bench")
  .description(
    "Copy a data set global → china with Longbow and rclone, directly and over an emulated long link",
  )
  .option("--suite <names>", "wan (issue 8), transfer (issue 3), memory (issue 3)", "wan")
  .option(
    "--dataset <spec>",
    "override the suite's data set, e.g. 1x64MiB,50x64KiB,2x0",
    process.env.BENCH_DATASET,
  )
  .option("--tools <names>", "rclone,defaults,tuned,migrate", "rclone,defaults,tuned")
  .option("--paths <names>", "direct,wan (default: the suite's)")
  .option("--tuned <env>", "Longbow's tuned settings as KEY=VALUE,...", "")
  .option("--delay <ms>", "WAN one-way delay", "100")
  .option("--window <size>", "WAN bytes in flight per connection and direction", "512KiB")
  .option("--resets <fraction>", "WAN fraction of connections reset mid-transfer", "0")
  .option("--repeat <n>", "rounds per suite", "1")
  .option("--memory-sizes <sizes>", "object sizes of the memory check", "1GiB,4GiB")
  .option("--node-args <args>", "extra node flags for the Longbow driver, e.g. --cpu-prof", "")
  .option("--no-ranged-reads", "leave moto's whole-object read per ranged GET in place")
  .option("--no-keep-alive", "leave werkzeug's Connection: close after every response in place");

/** Bundles `entry` as `npm run build` ships the CLI, into `dir`/`name`. */
async function bundle(entry: string, dir: string, name: string): Promise<string> {
  const outfile = join(dir, name);
  await build({
    entryPoints: [join(root, entry)],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    // as `npm run build` ships the CLI: dependencies inside, so start-up reads one file
    external: ["better-sqlite3"],
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    logLevel: "warning",
  });
  return outfile;
}

async function main(): Promise<void> {
  const opts = program.parse().opts<Record<string, string | boolean | undefined>>();
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const workDir = join(root, "bench", ".data", stamp);
  mkdirSync(workDir, { recursive: true });
  const driverPath = await bundle("bench/driver.ts", workDir, "driver.mjs");
  const cliPath = await bundle("worker/src/cli/entry.ts", workDir, "longbow.mjs");
  const wanProxyPath = await bundle("bench/wan/proxy-main.ts", workDir, "wan-proxy.mjs");
  const tuned = { ...tunedSettings, ...parseSettingsEnv(String(opts.tuned ?? "")) };
  const rounds = Number(opts.repeat);
  const emulators = await startBenchEmulators({
    workDir,
    rangedReads: opts.rangedReads !== false,
    keepAlive: opts.keepAlive !== false,
  });
  const { global, china } = emulators.info;
  const s3 = { global: s3For(global, global.directEndpoint), china: s3For(china, china.directEndpoint) };
  const machine = machineInfo(join(root, ".venv", "bin", "python"));
  const results: RunResult[] = [];
  const notes: string[] = [];
  const wanOptions = {
    target: china.directEndpoint,
    oneWayDelayMs: Number(opts.delay),
    windowBytes: parseSize(String(opts.window)),
    resetFraction: Number(opts.resets),
  };
  try {
    for (const suiteName of String(opts.suite).split(",")) {
      const isMemory = suiteName === "memory";
      const suite = suites[suiteName];
      if (!suite && !isMemory) throw new Error(`unknown suite '${suiteName}'`);
      const datasets = isMemory
        ? String(opts.memorySizes)
            .split(",")
            .map((s) => [{ count: 1, size: parseSize(s) }])
        : [opts.dataset ? parseDataset(String(opts.dataset)) : (suite?.dataset ?? [])];
      const tools = toolsByName(
        isMemory ? ["defaults"] : String(opts.tools).split(","),
        driverPath,
        tuned,
        String(opts.nodeArgs).split(" ").filter(Boolean),
        cliPath,
      );
      const paths = opts.paths ? String(opts.paths).split(",") : (suite?.paths ?? ["direct"]);
      for (const dataset of datasets) {
        const label = isMemory ? `memory ${describeDataset(dataset)}` : suiteName;
        const sourceBucket = `bench-src-${process.pid}-${suiteName}-${datasets.indexOf(dataset)}`;
        const objects = datasetObjects(dataset);
        process.stderr.write(`[${label}] seeding ${describeDataset(dataset)} on global\n`);
        await createBucket(s3.global, sourceBucket, global.region);
        await seedDataset(s3.global, sourceBucket, objects);
        notes.push(`${label}: ${describeDataset(dataset)}`);
        const ctx: CopyRunContext = { suite: label, emulators, workDir, sourceBucket, objects, s3 };
        try {
          for (const pathName of paths) {
            let wan: WanProxyProcess | undefined;
            if (pathName === "wan") wan = await startWanProxyProcess(wanProxyPath, wanOptions);
            else if (pathName !== "direct") throw new Error(`unknown path '${pathName}'`);
            const path: CopyPath = { name: pathName, ...(wan ? { wan } : {}) };
            try {
              for (let round = 1; round <= rounds; round++) {
                for (const tool of tools) {
                  process.stderr.write(`[${label}] ${pathName} round ${round}: ${tool.name}\n`);
                  const r = await runCopy(ctx, tool, path, round);
                  results.push(r);
                  process.stderr.write(`${renderTable([r]).split("\n").at(-1)}\n`);
                }
              }
            } finally {
              await wan?.close();
            }
          }
        } finally {
          await deleteBucket(s3.global, sourceBucket);
        }
      }
    }
  } finally {
    await emulators.stop();
  }
  const machineAfter = machineInfo(join(root, ".venv", "bin", "python"));
  const report = [
    `Command: npm run bench -- ${process.argv.slice(2).join(" ")}`,
    `Machine (start): ${describeMachine(machine)}`,
    `Load average at the end: ${machineAfter.loadAverage.join(" / ")}`,
    `WAN: ${wanOptions.oneWayDelayMs} ms one way, ${opts.window} window per connection and direction, resets ${wanOptions.resetFraction}`,
    `Moto ranged reads: ${opts.rangedReads !== false ? "range only (bench patch)" : "whole object per range (moto as shipped)"}`,
    `Moto keep-alive: ${opts.keepAlive !== false ? "on (bench patch)" : "off (werkzeug closes every connection)"}`,
    ...notes.map((n) => `Data set ${n}`),
    ...[...new Set(results.map((r) => `${r.tool}: ${r.settings}`))],
    "",
    renderTable(results),
    "",
    renderTargets(results, tuned),
    "",
    "Requests by operation:",
    renderRequests(results),
    "",
    "CPU seconds during each run:",
    renderCpu(results),
  ].join("\n");
  process.stdout.write(`${report}\n`);
  writeFileSync(join(workDir, "results.json"), JSON.stringify({ machine, machineAfter, results }, null, 2));
  writeFileSync(join(workDir, "results.md"), `${report}\n`);
  process.stderr.write(`results in ${workDir}\n`);
}

await main();
