/**
 * Cluster throughput (issue 21): `longbow send` as the CLI runs it, for N objects of 1 KiB
 * listed from the emulator, with SQS and DynamoDB behind a loopback proxy that adds a fixed
 * latency per request and counts requests (and how many were in flight at once) by
 * operation; then the same send again while every object is still pending (the re-send
 * path); and `longbow work --exit-when-idle` on a smaller set, for its requests per object.
 *
 *   npm run emulator:setup
 *   npx tsx bench/send-throughput.ts --objects 5000,20000 --latency 0,20 --work-objects 2000 \
 *     --builds before=../longbow-main,after=. --repeat 2
 *
 * `--builds before=/path/to/other/checkout,after=.` runs each configuration with each
 * checkout's `bin/longbow.js` in turn, against the same emulators and data set, so a before
 * and after are measured side by side (on a shared machine, minutes apart is another load).
 * `--repeat N` runs every send configuration N times.
 *
 * The emulators are the benchmark's (patched moto, keep-alive, see bench/emulator/); the
 * client's CPU comes from GNU time, less the CPU of starting the CLI (`longbow version`).
 *
 * `--endpoints standin` (issue 18.3) answers SQS and DynamoDB from bench/standin/, a
 * stand-in of this process that answers after the fixed latency (no condition evaluated, see
 * there) instead of moto behind the latency proxy: the S3 listing still comes from moto, and
 * what is measured is the client, not a queue or a database. `--node-args="--cpu-prof
 * --cpu-prof-dir=/tmp/prof"` passes flags to the CLI's Node (profiles for
 * bench/profile-summary.ts).
 * Raw results go to bench/.data/send-throughput-<time>.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { defaultCredentials, writeMigration, writeProfiles } from "../test/support/cli.js";
import { type LatencyProxy, startLatencyProxy } from "../test/support/latency-proxy.js";
import { createTestSqsQueue } from "../test/support/sqs-queue.js";
import { createLedgerTable } from "../worker/src/ledger/index.js";
import { createBucket, s3For } from "./lib/buckets.js";
import { startBenchEmulators } from "./lib/emulators.js";
import { forEachLimit } from "./lib/limit.js";
import { describeMachine, machineInfo } from "./lib/machine.js";
import { measure, type ProcessCost } from "./lib/measure.js";
import { ownCpuSeconds, processCpuSeconds } from "./lib/process-cpu.js";
import { type Standin, startStandin } from "./standin/standin.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

const { values: flags } = parseArgs({
  options: {
    objects: { type: "string", default: "5000,20000" },
    latency: { type: "string", default: "0,20" },
    "work-objects": { type: "string", default: "2000" },
    "no-resend": { type: "boolean", default: false },
    repeat: { type: "string", default: "1" },
    builds: { type: "string", default: "this=." },
    endpoints: { type: "string", default: "moto" },
    "node-args": { type: "string", default: "" },
    "no-plan": { type: "boolean", default: false },
  },
});
const counts = (s: string) =>
  s
    .split(",")
    .filter(Boolean)
    .map((x) => {
      const n = Number(x);
      if (!Number.isSafeInteger(n) || n < 0) throw new Error(`not a whole number: '${x}'`);
      return n;
    });
const sizes = counts(flags.objects);
const latencies = counts(flags.latency);
const workObjects = counts(flags["work-objects"])[0] ?? 0;
if (flags.endpoints !== "moto" && flags.endpoints !== "standin") {
  throw new Error(`--endpoints must be moto or standin, got '${flags.endpoints}'`);
}
const useStandin = flags.endpoints === "standin";
const nodeArgs = flags["node-args"].split(" ").filter(Boolean);
const repeat = Math.max(1, counts(flags.repeat)[0] ?? 1);
/** Checkouts to measure, by label: each one's bin/longbow.js. */
const builds = flags.builds.split(",").map((entry) => {
  const [label, path] = entry.includes("=") ? (entry.split("=", 2) as [string, string]) : [entry, entry];
  return { label, bin: join(resolve(root, path), "bin", "longbow.js") };
});

interface Row {
  build: string;
  what: "compare only (plan)" | "send" | "re-send" | "work";
  objects: number;
  latencyMs: number;
  wallSeconds: number;
  objectsPerSecond: number;
  cpuMsPerObject: number;
  requestsPerObject: number;
  maxInFlight: number;
  /** CPU the "global" emulator (S3 source, SQS, DynamoDB) spent during the run: near the wall time, it was the limit. */
  emulatorCpuSeconds: number;
  /** `--endpoints standin`: CPU this process (the stand-in answering SQS and DynamoDB) spent during the run. */
  standinCpuSeconds?: number;
  endpoints: "moto" | "standin";
  operations: Record<string, { requests: number; maxInFlight: number }>;
  exitCode: number;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), "longbow-bench-send-"));
  const emulators = await startBenchEmulators({ workDir: work });
  const proxies: (LatencyProxy | Standin)[] = [];
  try {
    const { global, china } = emulators.info;
    const machine = machineInfo(join(root, ".venv", "bin", "python"));
    const src = s3For(global);
    const dst = s3For(china);
    await createBucket(src, "bench-send-src", global.region);
    await createBucket(dst, "bench-send-dst", china.region);
    const body = Buffer.alloc(1024, 7);
    const seeded = Date.now();
    for (const n of [...new Set([...sizes, ...(workObjects > 0 ? [workObjects] : [])])]) {
      const keys = Array.from({ length: n }, (_, i) => `n${n}/d${i % 16}/obj-${String(i).padStart(6, "0")}`);
      await forEachLimit(keys, 16, async (key) => {
        await src.send(new PutObjectCommand({ Bucket: "bench-send-src", Key: key, Body: body }));
      });
    }
    process.stderr.write(`seeded in ${((Date.now() - seeded) / 1000).toFixed(1)} s\n`);

    const control = {
      endpoint: global.directEndpoint,
      region: global.region,
      credentials: { accessKeyId: global.accessKeyId, secretAccessKey: global.secretAccessKey },
    };
    const ddb = new DynamoDBClient(control);
    const baseEnv = {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      ...writeProfiles(join(work, "aws"), [global, china]),
      ...defaultCredentials(global),
      LONGBOW_LOG_LEVEL: "warn",
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith("LONGBOW_SEND"))),
    };
    const run = async (
      bin: string,
      args: string[],
      env: Record<string, string>,
      tag: string,
    ): Promise<ProcessCost & { emulatorCpuSeconds: number; ownCpuSeconds: number }> => {
      const before = processCpuSeconds(global.pid);
      const own = ownCpuSeconds();
      const cost = await measure(process.execPath, [...nodeArgs, bin, ...args], {
        env,
        workDir: work,
        outputFile: join(work, `output-${tag}.log`),
      });
      return {
        ...cost,
        emulatorCpuSeconds: processCpuSeconds(global.pid) - before,
        ownCpuSeconds: ownCpuSeconds() - own,
      };
    };
    const startups = new Map<string, ProcessCost>();
    for (const b of builds) {
      // twice, the second counted: the first may rebuild a stale dist/ (bin/build.mjs)
      await run(b.bin, ["version"], baseEnv, `startup-${b.label}-0`);
      startups.set(b.label, await run(b.bin, ["version"], baseEnv, `startup-${b.label}`));
    }
    const startupCpu = (label: string) => {
      const s = startups.get(label) as ProcessCost;
      return s.userSeconds + s.systemSeconds;
    };
    const rows: Row[] = [];
    const row = (
      build: string,
      what: Row["what"],
      objects: number,
      latencyMs: number,
      cost: ProcessCost & { emulatorCpuSeconds: number; ownCpuSeconds: number },
      proxy: LatencyProxy | Standin,
    ): Row => {
      const operations = proxy.operations();
      const requests = Object.values(operations).reduce((n, o) => n + o.requests, 0);
      const r: Row = {
        build,
        what,
        objects,
        latencyMs,
        wallSeconds: round(cost.wallSeconds, 2),
        objectsPerSecond: round(objects / cost.wallSeconds, 1),
        cpuMsPerObject: round(
          ((cost.userSeconds + cost.systemSeconds - startupCpu(build)) * 1000) / Math.max(1, objects),
          3,
        ),
        requestsPerObject: round(requests / Math.max(1, objects), 3),
        maxInFlight: proxy.maxInFlight(),
        emulatorCpuSeconds: round(cost.emulatorCpuSeconds, 1),
        ...(useStandin ? { standinCpuSeconds: round(cost.ownCpuSeconds, 1) } : {}),
        endpoints: useStandin ? "standin" : "moto",
        operations,
        exitCode: cost.exitCode,
      };
      process.stderr.write(`${JSON.stringify({ ...r, operations: undefined })}\n`);
      if (cost.exitCode !== 0) process.stderr.write(cost.stderrTail);
      if ("unknown" in proxy && proxy.unknown().length > 0) {
        process.stderr.write(
          `the stand-in was asked for what it does not do: ${proxy.unknown().join(", ")}\n`,
        );
      }
      rows.push(r);
      return r;
    };

    const setUpEndpoints = async (latencyMs: number, name: string) => {
      if (useStandin) {
        // SQS and DynamoDB from the stand-in (the client measured, not a database); S3 from moto
        const standin = await startStandin({ delayMs: latencyMs, region: global.region });
        proxies.push(standin);
        const at = { ...control, endpoint: standin.endpoint };
        const sqs = new SQSClient(at);
        const { queueUrl } = await createTestSqsQueue(sqs, { visibilitySeconds: 120, name });
        sqs.destroy();
        const dynamo = new DynamoDBClient(at);
        await createLedgerTable(dynamo, name);
        dynamo.destroy();
        return { proxy: standin, queueUrl, endpoint: standin.endpoint };
      }
      const proxy = await startLatencyProxy({ target: global.directEndpoint, delayMs: latencyMs });
      proxies.push(proxy);
      // SQS sends each request to its queue's URL, which the emulator builds from the Host the
      // queue was created through: created through the proxy, the URL leads through it.
      const viaProxy = new SQSClient({ ...control, endpoint: proxy.endpoint });
      const { queueUrl } = await createTestSqsQueue(viaProxy, { visibilitySeconds: 120, name });
      viaProxy.destroy();
      await createLedgerTable(ddb, name);
      return { proxy, queueUrl, endpoint: proxy.endpoint };
    };
    const setUp = async (n: number, latencyMs: number, name: string) => {
      const { proxy, queueUrl, endpoint } = await setUpEndpoints(latencyMs, name);
      const dir = writeMigration(
        join(work, name),
        name,
        { side: global, bucket: "bench-send-src", prefix: `n${n}/`, endpoint: global.directEndpoint },
        { side: china, bucket: "bench-send-dst", prefix: `${name}/`, endpoint: china.directEndpoint },
      );
      const env = {
        ...baseEnv,
        AWS_ENDPOINT_URL_SQS: endpoint,
        AWS_ENDPOINT_URL_DYNAMODB: endpoint,
      };
      const cluster = ["--queue-url", queueUrl, "--table-name", name];
      return { proxy, dir, env, cluster };
    };

    const first = builds[0] as (typeof builds)[number];
    for (const n of flags["no-plan"] ? [] : sizes) {
      // the compare alone (no ledger, no queue): the floor under every send of this set
      const name = `plan-${n}-${Date.now().toString(36)}`;
      const { proxy, dir, env } = await setUp(n, 0, name);
      proxy.reset();
      const cost = await run(first.bin, ["plan", "--dir", dir, "--migration", name], env, name);
      row(first.label, "compare only (plan)", n, 0, cost, proxy);
    }
    for (let round = 0; round < repeat; round++) {
      for (const n of sizes) {
        for (const latencyMs of latencies) {
          for (const b of builds) {
            const name = `send-${b.label}-${n}-${latencyMs}ms-${Date.now().toString(36)}`;
            const { proxy, dir, env, cluster } = await setUp(n, latencyMs, name);
            const args = ["send", "--dir", dir, "--migration", name, ...cluster];
            proxy.reset();
            row(b.label, "send", n, latencyMs, await run(b.bin, args, env, `${name}-send`), proxy);
            if (flags["no-resend"]) continue;
            proxy.reset();
            row(b.label, "re-send", n, latencyMs, await run(b.bin, args, env, `${name}-resend`), proxy);
          }
        }
      }
    }

    if (workObjects > 0) {
      for (const b of builds) {
        const name = `work-${b.label}-${workObjects}-${Date.now().toString(36)}`;
        const { proxy, dir, env, cluster } = await setUp(workObjects, 0, name);
        // the same send for every build, so only work differs
        await run(first.bin, ["send", "--dir", dir, "--migration", name, ...cluster], env, `${name}-send`);
        proxy.reset();
        const worked = await run(
          b.bin,
          ["work", "--migrations-dir", dir, ...cluster, "--exit-when-idle", "--no-metrics"],
          env,
          `${name}-work`,
        );
        row(b.label, "work", workObjects, 0, worked, proxy);
      }
    }

    const md = [
      `Machine: ${describeMachine(machine)}`,
      ...builds.map(
        (b) =>
          `CLI startup of ${b.label} (${b.bin} version): ${startups.get(b.label)?.wallSeconds.toFixed(2)} s wall, ${startupCpu(b.label).toFixed(2)} s CPU (subtracted from CPU per object)`,
      ),
      "",
      `SQS and DynamoDB: ${useStandin ? "the bench's stand-in (bench/standin/: answers after the added latency, evaluates no condition; measures the client, not SQS or DynamoDB)" : "moto behind the latency proxy"}; S3 listing: moto`,
      "",
      "| build | run | objects | added latency | wall s | objects/s | client CPU ms/object | SQS+DynamoDB requests/object | most in flight | emulator CPU s | stand-in CPU s |",
      "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
      ...rows.map(
        (r) =>
          `| ${r.build} | ${r.what} | ${r.objects} | ${r.latencyMs} ms | ${r.wallSeconds} | ${r.objectsPerSecond} | ${r.cpuMsPerObject} | ${r.requestsPerObject} | ${r.maxInFlight} | ${r.emulatorCpuSeconds} | ${r.standinCpuSeconds ?? "—"} |`,
      ),
      "",
      "Requests by operation:",
      "",
      ...rows.map(
        (r) =>
          `- ${r.build} ${r.what} ${r.objects} @ ${r.latencyMs} ms: ${Object.entries(r.operations)
            .map(([op, o]) => `${op.replace(/^.*\./, "")} ${o.requests} (≤${o.maxInFlight} at once)`)
            .join(", ")}`,
      ),
    ].join("\n");
    process.stdout.write(`${md}\n`);
    const out = join(root, "bench", ".data");
    mkdirSync(out, { recursive: true });
    writeFileSync(
      join(out, `send-throughput-${new Date().toISOString().replaceAll(":", "-")}.json`),
      JSON.stringify({ machine, builds, startups: Object.fromEntries(startups), rows }, null, 2),
    );
    ddb.destroy();
    src.destroy();
    dst.destroy();
  } finally {
    for (const p of proxies) await p.close();
    await emulators.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
