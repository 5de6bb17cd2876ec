/**
 * Bandwidth budget (issue 19 part 2): three `longbow work` processes in cluster mode (SQS
 * and DynamoDB on the emulator) copy one migration whose `limits.bandwidth` is a fleet-wide
 * figure; the fleet's rate is measured from the ledger's bytes over time, as a report reads
 * them, and compared with the limit (target ±15 %).
 *
 *   npm run emulator:setup
 *   npm run bench:bandwidth -- --limit 20MB/s --workers 3 --objects 120 --size-mib 8
 *
 * The figure judged is the whole run's: bytes done ÷ (the ledger's last end − its first
 * start), from the hour tallies a report reads; it includes the first seconds, when a worker
 * that joined last is not yet counted by the others. Beside it, a sampled figure: the
 * ledger's done bytes polled every 2 s, between 20 % and 90 % of the total. On a loaded
 * emulator the ledger's writes lag the copies and land in bursts, so the sampled figure
 * reads the ledger's pace more than the copies'. Optionally `--unlimited` first runs the same set without a limit, to show that
 * the emulators could go faster than the limit (otherwise the figure proves nothing).
 * Raw samples go to bench/.data/bandwidth-<time>.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import type { EmulatorSide } from "../test/emulator/emulator.js";
import { runLongbow, writeProfiles } from "../test/support/cli.js";
import { createTestSqsQueue } from "../test/support/sqs-queue.js";
import { leaseKey, parseRate } from "../worker/src/bandwidth/index.js";
import { createLedgerTable, DynamoLedger } from "../worker/src/ledger/index.js";
import { createBucket, s3For } from "./lib/buckets.js";
import { startBenchEmulators } from "./lib/emulators.js";
import { forEachLimit } from "./lib/limit.js";
import { describeMachine, machineInfo } from "./lib/machine.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const MiB = 1024 * 1024;

const { values: flags } = parseArgs({
  options: {
    limit: { type: "string", default: "20MB/s" },
    workers: { type: "string", default: "3" },
    objects: { type: "string", default: "120" },
    "size-mib": { type: "string", default: "8" },
    "lease-seconds": { type: "string", default: "60" },
    // few jobs per worker, so every worker gets some (a worker takes as many as its pool has room for)
    "files-in-parallel": { type: "string", default: "2" },
    unlimited: { type: "boolean", default: false },
  },
});
const whole = (name: string, raw: string) => {
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new Error(`--${name} must be a positive whole number, got '${raw}'`);
  return n;
};
const workers = whole("workers", flags.workers);
const objects = whole("objects", flags.objects);
const sizeMiB = whole("size-mib", flags["size-mib"]);
const leaseSeconds = whole("lease-seconds", flags["lease-seconds"]);
const parsedLimit = parseRate(flags.limit);
if (!parsedLimit.ok || parsedLimit.bytesPerSecond === undefined) throw new Error(`--limit: ${flags.limit}`);
const limit = parsedLimit.bytesPerSecond;

function migrationYaml(name: string, global: EmulatorSide, china: EmulatorSide, bandwidth?: string): string {
  return [
    `name: ${name}`,
    "source:",
    "  bucket: bench-bw-src",
    `  region: ${global.region}`,
    `  endpoint: ${global.directEndpoint}`,
    "  credentials: { profile: global }",
    "destination:",
    "  bucket: bench-bw-dst",
    `  prefix: ${name}/`,
    `  region: ${china.region}`,
    `  endpoint: ${china.directEndpoint}`,
    "  credentials: { profile: china }",
    ...(bandwidth ? ["limits:", `  bandwidth: ${bandwidth}`] : []),
    "",
  ].join("\n");
}

interface Sample {
  /** Seconds since the workers started. */
  t: number;
  bytes: number;
  leases: number;
}

interface RunResult {
  label: string;
  limit: string | undefined;
  bytes: number;
  wallSeconds: number;
  /** Bytes ÷ (last end − first start), from the ledger's hour tallies. */
  ledgerRate: number;
  /** Bytes between 20 % and 90 % of the total ÷ the time between, from the samples. */
  steadyRate: number;
  maxLeases: number;
  exitCodes: (number | null)[];
  samples: Sample[];
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), "longbow-bench-bw-"));
  const emulators = await startBenchEmulators({ workDir: work });
  try {
    const { global, china } = emulators.info;
    const machine = machineInfo(join(root, ".venv", "bin", "python"));
    const src = s3For(global);
    const dst = s3For(china);
    await createBucket(src, "bench-bw-src", global.region);
    await createBucket(dst, "bench-bw-dst", china.region);
    const body = Buffer.alloc(sizeMiB * MiB);
    for (let i = 0; i < body.length; i += 4) body.writeUInt32LE((i * 2654435761) >>> 0, i);
    const keys = Array.from({ length: objects }, (_, i) => `d${i % 8}/obj-${String(i).padStart(5, "0")}`);
    await forEachLimit(keys, 4, async (key) => {
      await src.send(new PutObjectCommand({ Bucket: "bench-bw-src", Key: key, Body: body }));
    });
    const control = {
      endpoint: global.directEndpoint,
      region: global.region,
      credentials: { accessKeyId: global.accessKeyId, secretAccessKey: global.secretAccessKey },
    };
    const ddb = new DynamoDBClient(control);
    const doc = DynamoDBDocumentClient.from(ddb);
    const sqs = new SQSClient(control);
    const env = {
      ...writeProfiles(join(work, "aws"), [global, china]),
      AWS_ACCESS_KEY_ID: global.accessKeyId,
      AWS_SECRET_ACCESS_KEY: global.secretAccessKey,
      AWS_REGION: global.region,
      AWS_ENDPOINT_URL_SQS: global.directEndpoint,
      AWS_ENDPOINT_URL_DYNAMODB: global.directEndpoint,
      LONGBOW_LOG_LEVEL: "warn",
      LONGBOW_BANDWIDTH_LEASE_SECONDS: String(leaseSeconds),
      LONGBOW_FILES_IN_PARALLEL: String(whole("files-in-parallel", flags["files-in-parallel"])),
      LONGBOW_PARTS_IN_PARALLEL: "2",
    };

    const runOnce = async (label: string, bandwidth: string | undefined): Promise<RunResult> => {
      const name = `bw-${label}-${Date.now().toString(36)}`;
      const { queueUrl } = await createTestSqsQueue(sqs, { visibilitySeconds: 120, name });
      await createLedgerTable(ddb, name);
      const dir = join(work, name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${name}.yaml`), migrationYaml(name, global, china, bandwidth));
      const cluster = ["--queue-url", queueUrl, "--table-name", name];
      const send = runLongbow(["send", "--dir", dir, "--migration", name, ...cluster], env);
      if ((await send.exited) !== 0) throw new Error(`send failed: ${send.stderr()}`);
      const ledger = new DynamoLedger({ client: doc, tableName: name });
      const started = Date.now();
      const procs = Array.from({ length: workers }, () =>
        runLongbow(["work", "--migrations-dir", dir, ...cluster, "--exit-when-idle", "--no-metrics"], env),
      );
      const samples: Sample[] = [];
      let running = true;
      const exits = Promise.all(procs.map((p) => p.exited)).finally(() => {
        running = false;
      });
      while (running) {
        const summary = await ledger.summary(name, { failureLimit: 0 });
        const lease = await doc.send(new GetCommand({ TableName: name, Key: leaseKey(name) }));
        const now = Date.now();
        const live = Object.values((lease.Item?.leases ?? {}) as Record<string, number>).filter(
          (e) => e > now,
        );
        samples.push({ t: (now - started) / 1000, bytes: summary.counters.done.bytes, leases: live.length });
        await new Promise((r) => setTimeout(r, 2000));
      }
      const exitCodes = await exits;
      for (const [i, p] of procs.entries()) {
        const warnings = p.lines().filter((l) => Number(l.level) >= 40);
        if (warnings.length > 0)
          process.stderr.write(
            `worker ${i}: ${warnings
              .slice(0, 5)
              .map((w) => JSON.stringify(w))
              .join("\n")}\n`,
          );
      }
      const wallSeconds = (Date.now() - started) / 1000;
      const summary = await ledger.summary(name, { failureLimit: 5 });
      const bytes = summary.counters.done.bytes;
      const firsts = summary.hours.flatMap((h) => (h.firstAt ? [Date.parse(h.firstAt)] : []));
      const lasts = summary.hours.flatMap((h) => (h.lastAt ? [Date.parse(h.lastAt)] : []));
      const ledgerSeconds = (Math.max(...lasts) - Math.min(...firsts)) / 1000;
      const at = (share: number) =>
        samples.find((s) => s.bytes >= share * bytes) ?? samples[samples.length - 1];
      const [a, b] = [at(0.2), at(0.9)];
      const steadyRate = a && b && b.t > a.t ? (b.bytes - a.bytes) / (b.t - a.t) : Number.NaN;
      if (summary.failures.length > 0)
        process.stderr.write(`failures: ${JSON.stringify(summary.failures)}\n`);
      return {
        label,
        limit: bandwidth,
        bytes,
        wallSeconds: round(wallSeconds, 1),
        ledgerRate: round(bytes / ledgerSeconds, 0),
        steadyRate: round(steadyRate, 0),
        maxLeases: Math.max(...samples.map((s) => s.leases)),
        exitCodes,
        samples,
      };
    };

    const results: RunResult[] = [];
    if (flags.unlimited) results.push(await runOnce("unlimited", undefined));
    results.push(await runOnce("limited", flags.limit));
    const mb = (x: number) => `${round(x / 1e6, 2)} MB/s`;
    const rows = results.map((r) => {
      const within = r.limit === undefined ? "" : ` (${round(((r.ledgerRate - limit) / limit) * 100, 1)} %)`;
      return `| ${r.limit ?? "none"} | ${workers} | ${objects} × ${sizeMiB} MiB | ${r.wallSeconds} s | ${mb(r.ledgerRate)}${within} | ${mb(r.steadyRate)} | ${r.maxLeases} | ${r.exitCodes.join(",")} |`;
    });
    const limited = results.find((r) => r.limit !== undefined) as RunResult;
    const deviation = Math.abs(limited.ledgerRate - limit) / limit;
    const md = [
      `Machine: ${describeMachine(machine)}`,
      "",
      "| limit | workers | objects | wall | fleet rate (ledger, whole run) | sampled 20–90 % | leases seen | exit codes |",
      "| --- | ---: | --- | ---: | ---: | ---: | ---: | --- |",
      ...rows,
      "",
      `Target ${flags.limit} ± 15 %: ${deviation <= 0.15 ? "met" : "not met"} (whole run ${mb(limited.ledgerRate)}, sampled ${mb(limited.steadyRate)}).`,
    ].join("\n");
    process.stdout.write(`${md}\n`);
    const dataDir = join(root, "bench", ".data");
    mkdirSync(dataDir, { recursive: true });
    const file = join(dataDir, `bandwidth-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
    writeFileSync(file, JSON.stringify({ machine, flags, results }, null, 2));
    process.stderr.write(`raw results: ${file}\n`);
    ddb.destroy();
    sqs.destroy();
    src.destroy();
    dst.destroy();
  } finally {
    await emulators.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
