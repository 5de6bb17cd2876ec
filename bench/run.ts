/**
 * `npm run bench`: Longbow, started as a user starts it (`node bin/longbow.js`), against
 * rclone (the original's settings and a small sweep) and, given `--original DIR`, the
 * original Python tool, between the two emulated partitions, directly and over the emulated
 * long link, on stock and patched moto. See bench/README.md for the suites, flags and targets.
 */
import { spawnSync } from "node:child_process";
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
import { longbowBin } from "./lib/migrate-tool.js";
import { type RunResult, renderCpu, renderRequests, renderTable } from "./lib/results.js";
import { parseSize } from "./lib/sizes.js";
import {
  defaultSuites,
  parseSettingsEnv,
  quickSuites,
  suites,
  toolsByName,
  tunedSettings,
} from "./lib/suites.js";
import { renderTargets } from "./lib/targets.js";
import { startWanProxyProcess, type WanProxyProcess } from "./wan/proxy-process.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * The emulator conditions: moto as `pip install moto[server]` gives it (with the project's
 * correctness fixes every test loads), and with the bench's two adjustments for behaviour
 * real S3 has (bench/emulator/sitecustomize.py).
 */
const conditions: Record<string, { keepAlive: boolean; rangedReads: boolean; label: string }> = {
  stock: {
    keepAlive: false,
    rangedReads: false,
    label: "moto as shipped: Connection: close after every response, whole-object read per ranged GET",
  },
  patched: { keepAlive: true, rangedReads: true, label: "keep-alive and range-only reads (bench patches)" },
  "keep-alive": { keepAlive: true, rangedReads: false, label: "keep-alive only (bench patch)" },
};

const program = new Command("bench")
  .description(
    "Copy a data set global → china with Longbow (as a user starts it), rclone and the original, directly and over an emulated long link, on stock and patched moto",
  )
  .option("--suite <names>", `${Object.keys(suites).join(", ")}, memory`, defaultSuites.join(","))
  .option("--quick", `the regression guard: suites ${quickSuites.join(",")} (under 3 minutes)`)
  .option("--emulator <conditions>", `${Object.keys(conditions).join(", ")}`, "stock,patched")
  .option(
    "--dataset <spec>",
    "override the suite's data set, e.g. 1x64MiB,50x64KiB,2x0",
    process.env.BENCH_DATASET,
  )
  .option(
    "--tools <names>",
    "rclone, rclone-5x20, rclone-wide, migrate, tuned, cluster, original (default: the suite's)",
  )
  .option(
    "--original <dir>",
    "the original's cluster code (amazon-s3-resumable-upload cluster/cdk-cluster/code)",
  )
  .option(
    "--original-python <path>",
    "a Python with boto3 for the original",
    join(root, ".venv", "bin", "python"),
  )
  .option("--paths <names>", "direct,wan (default: the suite's)")
  .option("--tuned <env>", "Longbow's tuned settings as KEY=VALUE,...", "")
  .option("--delay <ms>", "WAN one-way delay", "100")
  .option("--window <size>", "WAN bytes in flight per connection and direction", "512KiB")
  .option("--resets <fraction>", "WAN fraction of connections reset mid-transfer", "0")
  .option("--repeat <n>", "rounds per suite", "1")
  .option("--memory-sizes <sizes>", "object sizes of the memory check", "1GiB,4GiB")
  .option("--node-args <args>", "extra node flags for Longbow's processes, e.g. --cpu-prof", "");

/** Starts the CLI once, so a stale build is rebuilt before anything is measured. */
function ensureCliBuild(): void {
  const r = spawnSync(process.execPath, [longbowBin, "--version"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`bin/longbow.js --version failed (${r.status}):\n${r.stderr}`);
  if (r.stderr.trim() !== "") process.stderr.write(r.stderr);
}

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
  ensureCliBuild();
  const wanProxyPath = await bundle("bench/wan/proxy-main.ts", workDir, "wan-proxy.mjs");
  const tuned = { ...tunedSettings, ...parseSettingsEnv(String(opts.tuned ?? "")) };
  const rounds = Number(opts.repeat);
  const suiteNames = (
    opts.quick && program.getOptionValueSource("suite") === "default"
      ? quickSuites
      : String(opts.suite).split(",")
  ).map((n) => n.trim());
  for (const n of suiteNames) {
    if (n !== "memory" && !suites[n]) throw new Error(`unknown suite '${n}'`);
  }
  const conditionNames = String(opts.emulator)
    .split(",")
    .map((n) => n.trim());
  for (const n of conditionNames) {
    if (!conditions[n])
      throw new Error(`unknown emulator condition '${n}' (use ${Object.keys(conditions).join(", ")})`);
  }
  const toolOptions = {
    tuned,
    nodeArgs: String(opts.nodeArgs).split(" ").filter(Boolean),
    python: String(opts.originalPython),
    ...(opts.original ? { originalDir: String(opts.original) } : {}),
  };
  const machine = machineInfo(join(root, ".venv", "bin", "python"));
  const wanted = suiteNames.flatMap((n) =>
    n === "memory" ? [] : opts.tools ? String(opts.tools).split(",") : (suites[n]?.tools ?? []),
  );
  if (wanted.some((t) => t.startsWith("rclone")) && !machine.rclone.startsWith("rclone")) {
    // every rclone row would fail in a second and the ratios compare against nothing
    throw new Error(
      "bench: rclone is not installed, and the suites compare against it: apt-get install -y rclone (Debian's 1.60), or pass --tools without rclone",
    );
  }
  const started = Date.now();
  const elapsed = () => `+${((Date.now() - started) / 1000).toFixed(0)} s`;
  const results: RunResult[] = [];
  const notes = new Set<string>();
  const wanOptions = {
    oneWayDelayMs: Number(opts.delay),
    windowBytes: parseSize(String(opts.window)),
    resetFraction: Number(opts.resets),
  };
  for (const conditionName of conditionNames) {
    const condition = conditions[conditionName] as (typeof conditions)[string];
    const emulators = await startBenchEmulators({
      workDir: join(workDir, conditionName),
      rangedReads: condition.rangedReads,
      keepAlive: condition.keepAlive,
    });
    const { global, china } = emulators.info;
    const s3 = { global: s3For(global, global.directEndpoint), china: s3For(china, china.directEndpoint) };
    try {
      for (const suiteName of suiteNames) {
        const isMemory = suiteName === "memory";
        const suite = suites[suiteName];
        const datasets = isMemory
          ? String(opts.memorySizes)
              .split(",")
              .map((s) => [{ count: 1, size: parseSize(s) }])
          : [opts.dataset ? parseDataset(String(opts.dataset)) : (suite?.dataset ?? [])];
        const tools = toolsByName(
          isMemory ? ["migrate"] : opts.tools ? String(opts.tools).split(",") : (suite?.tools ?? []),
          toolOptions,
        );
        const paths = opts.paths ? String(opts.paths).split(",") : (suite?.paths ?? ["direct"]);
        for (const dataset of datasets) {
          const label = isMemory ? `memory ${describeDataset(dataset)}` : suiteName;
          const sourceBucket = `bench-src-${process.pid}-${suiteName}-${datasets.indexOf(dataset)}`;
          const objects = datasetObjects(dataset);
          process.stderr.write(
            `[${elapsed()} ${conditionName} ${label}] seeding ${describeDataset(dataset)} on global\n`,
          );
          await createBucket(s3.global, sourceBucket, global.region);
          await seedDataset(s3.global, sourceBucket, objects);
          notes.add(`${label}: ${describeDataset(dataset)}`);
          const ctx: CopyRunContext = {
            condition: conditionName,
            suite: label,
            emulators,
            workDir,
            sourceBucket,
            objects,
            s3,
            // the guard checks keys, sizes and ETags, and hashes only objects whose ETags differ
            ...(opts.quick ? { verifySample: 0 } : {}),
          };
          try {
            for (const pathName of paths) {
              let wan: WanProxyProcess | undefined;
              if (pathName === "wan") {
                wan = await startWanProxyProcess(wanProxyPath, {
                  target: china.directEndpoint,
                  ...wanOptions,
                });
              } else if (pathName !== "direct") throw new Error(`unknown path '${pathName}'`);
              const path: CopyPath = { name: pathName, ...(wan ? { wan } : {}) };
              try {
                for (let round = 1; round <= rounds; round++) {
                  for (const tool of tools) {
                    process.stderr.write(
                      `[${elapsed()} ${conditionName} ${label}] ${pathName} round ${round}: ${tool.name}\n`,
                    );
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
      s3.global.destroy();
      s3.china.destroy();
      await emulators.stop();
    }
  }
  const machineAfter = machineInfo(join(root, ".venv", "bin", "python"));
  const report = [
    `Command: npm run bench -- ${process.argv.slice(2).join(" ")}`,
    `Machine (start): ${describeMachine(machine)}`,
    `Load average at the end: ${machineAfter.loadAverage.join(" / ")}; ${((Date.now() - started) / 1000).toFixed(0)} s in all`,
    `Longbow: node ${longbowBin} (built JavaScript, dist/longbow.mjs), as a user starts it from a clone`,
    `WAN: ${wanOptions.oneWayDelayMs} ms one way, ${opts.window} window per connection and direction, resets ${wanOptions.resetFraction}`,
    ...conditionNames.map((n) => `Emulator ${n}: ${conditions[n]?.label}`),
    ...[...notes].map((n) => `Data set ${n}`),
    ...[...new Set(results.map((r) => `${r.tool}: ${r.settings}`))],
    "",
    renderTable(results),
    "",
    "Targets (issue 18; each row against the fastest rclone setting of the same emulator, suite, path and round):",
    "",
    renderTargets(results),
    "",
    "Requests by operation (both emulators; SQS, DynamoDB and SSM calls and the bench's own polling of the original included):",
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
