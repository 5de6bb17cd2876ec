/**
 * Fan-out (issue 19 part 1): one giant object copied over the emulated WAN link by 1 worker
 * and by 3 workers, with the same per-worker settings. Seeds one object on "global" in
 * 8 MiB parts (as `aws s3 cp` uploads), then per worker count: a fresh SQS queue, DynamoDB
 * table and destination bucket, `longbow send`, and N `longbow work --exit-when-idle`
 * started at once through the WAN proxy in front of "china" (built CLI, as users run it).
 * Wall time is from the workers' start to the last one's exit; the copy is verified by the
 * destination's ETag (the source's md5-of-md5s, parts mirrored).
 *
 *   npx tsx bench/fanout.ts [--size 2GiB] [--workers 1,3] [--delay 100] [--window 512KiB]
 *                           [--files 1] [--parts 4] [--range 16] [--threshold MiB]
 *                           [--logs DIR] [--stock-completion]
 *
 * `--logs DIR` keeps each worker's whole log (trace: each part too, JSON lines with timestamps) as
 * DIR/workers-N-W.log, so where a run spends its time can be read from it.
 *
 * The emulators complete a multipart upload without copying the object (bench/emulator/
 * sitecustomize.py): moto's own completion spends about 28 s of one process on a 2 GiB object,
 * the same whatever the fleet's size, which capped the speed-up this bench measures near 2.4×.
 * `--stock-completion` measures with moto's own.
 */
import { spawn, spawnSync } from "node:child_process";
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { clientConfig, s3For, uniqueBucket } from "../test/emulator/clients.js";
import { longbowBin, repoRoot, writeProfiles } from "../test/support/cli.js";
import { createBucket } from "../test/support/s3-objects.js";
import { createTestSqsQueue } from "../test/support/sqs-queue.js";
import { createLedgerTable } from "../worker/src/ledger/index.js";
import { deleteBucket } from "./lib/buckets.js";
import { datasetObjects, parseDataset, seedDataset } from "./lib/dataset.js";
import { startBenchEmulators } from "./lib/emulators.js";
import { describeMachine, machineInfo } from "./lib/machine.js";
import { parseSize } from "./lib/sizes.js";
import { startWanProxyProcess } from "./wan/proxy-process.js";

const { values } = parseArgs({
  options: {
    size: { type: "string", default: "2GiB" },
    workers: { type: "string", default: "1,3" },
    delay: { type: "string", default: "100" },
    window: { type: "string", default: "512KiB" },
    files: { type: "string", default: "1" },
    parts: { type: "string", default: "4" },
    range: { type: "string", default: "16" },
    /** MiB; the default setting (1 GiB) unless given */
    threshold: { type: "string" },
    /** a folder: each worker's whole log is kept there */
    logs: { type: "string" },
    "stock-completion": { type: "boolean", default: false },
  },
});

/** Runs the CLI; resolves with its exit code and wall seconds. */
function longbow(args: string[], env: Record<string, string>, logFile?: string) {
  return new Promise<{ code: number | null; wall: number; stderr: string; ranges: number }>((resolve) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [longbowBin, ...args], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    let ranges = 0;
    const log = logFile === undefined ? undefined : createWriteStream(logFile);
    if (log) child.stderr?.pipe(log);
    child.stderr?.on("data", (d: Buffer) => {
      const text = d.toString();
      ranges += text.split('"part of a fanned-out object done"').length - 1;
      err = (err + text).slice(-20_000);
    });
    child.on("exit", (code) =>
      resolve({ code, wall: Number(process.hrtime.bigint() - started) / 1e9, stderr: err, ranges }),
    );
  });
}

// a stale build is rebuilt before anything is measured (bin/build.mjs)
const version = spawnSync(process.execPath, [longbowBin, "--version"], { encoding: "utf8" });
if (version.status !== 0) throw new Error(`bin/longbow.js --version failed: ${version.stderr}`);

mkdirSync(join(repoRoot, "bench", ".data"), { recursive: true });
const dir = mkdtempSync(join(repoRoot, "bench", ".data", "fanout-"));
const emulators = await startBenchEmulators({
  workDir: dir,
  streamedCompletion: !values["stock-completion"],
});
const { global, china } = emulators.info;
const wan = await startWanProxyProcess(
  join(repoRoot, "bench", "wan", "proxy-main.ts"),
  {
    target: china.directEndpoint,
    oneWayDelayMs: Number(values.delay),
    windowBytes: parseSize(String(values.window)),
  },
  ["--import", "tsx"],
);
try {
  const machine = machineInfo(join(repoRoot, ".venv", "bin", "python"));
  const src = s3For(global, global.directEndpoint);
  const dst = s3For(china, china.directEndpoint);
  const sb = uniqueBucket("fan-src");
  await createBucket(src, sb, global.region);
  const size = parseSize(String(values.size));
  const objects = datasetObjects(parseDataset(`1x${values.size}`));
  await seedDataset(src, sb, objects);
  const key = objects[0]?.key as string;
  const sourceEtag = (await src.send(new HeadObjectCommand({ Bucket: sb, Key: key }))).ETag;
  const rows: Record<string, unknown>[] = [];
  for (const n of String(values.workers).split(",").map(Number)) {
    const db = uniqueBucket("fan-dst");
    await createBucket(dst, db, china.region);
    const sqs = new SQSClient(clientConfig(global, global.directEndpoint));
    const { queueUrl } = await createTestSqsQueue(sqs, { visibilitySeconds: 120 });
    const tableName = uniqueBucket("fan-ledger");
    await createLedgerTable(new DynamoDBClient(clientConfig(global, global.directEndpoint)), tableName);
    const migrations = join(dir, `migrations-${n}`);
    mkdirSync(migrations);
    writeFileSync(
      join(migrations, "fan.yaml"),
      [
        "name: fan",
        "source:",
        `  bucket: ${sb}`,
        `  region: ${global.region}`,
        `  endpoint: ${global.directEndpoint}`,
        "  credentials: { profile: global }",
        "destination:",
        `  bucket: ${db}`,
        `  region: ${china.region}`,
        `  endpoint: ${wan.endpoint}`,
        "  credentials: { profile: china }",
        "",
      ].join("\n"),
    );
    const env = {
      ...writeProfiles(join(dir, `aws-${n}`), [global, china]),
      AWS_ACCESS_KEY_ID: global.accessKeyId,
      AWS_SECRET_ACCESS_KEY: global.secretAccessKey,
      AWS_REGION: global.region,
      AWS_ENDPOINT_URL_SQS: global.directEndpoint,
      AWS_ENDPOINT_URL_DYNAMODB: global.directEndpoint,
      LONGBOW_FILES_IN_PARALLEL: String(values.files),
      LONGBOW_PARTS_IN_PARALLEL: String(values.parts),
      LONGBOW_FANOUT_PARTS_PER_RANGE: String(values.range),
      ...(values.threshold === undefined ? {} : { LONGBOW_FANOUT_THRESHOLD_MB: values.threshold }),
      // debug: each worker's share of the ranges is counted from its log; trace (with
      // --logs): every part read and written too
      LONGBOW_LOG_LEVEL: values.logs === undefined ? "debug" : "trace",
    };
    const cluster = ["--queue-url", queueUrl, "--table-name", tableName];
    const send = await longbow(["send", "--dir", migrations, ...cluster], env);
    if (send.code !== 0) throw new Error(`send exited ${send.code}: ${send.stderr}`);
    const started = process.hrtime.bigint();
    const load = machineInfo(join(repoRoot, ".venv", "bin", "python")).loadAverage;
    if (values.logs !== undefined) mkdirSync(values.logs, { recursive: true });
    const runs = await Promise.all(
      Array.from({ length: n }, (_, w) =>
        longbow(
          ["work", "--migrations-dir", migrations, "--exit-when-idle", "--no-metrics", ...cluster],
          env,
          values.logs === undefined ? undefined : join(values.logs, `workers-${n}-${w + 1}.log`),
        ),
      ),
    );
    const wall = Number(process.hrtime.bigint() - started) / 1e9;
    for (const r of runs) if (r.code !== 0) throw new Error(`work exited ${r.code}: ${r.stderr}`);
    const etag = (await dst.send(new HeadObjectCommand({ Bucket: db, Key: key }))).ETag;
    const row = {
      workers: n,
      wallSeconds: +wall.toFixed(1),
      MBps: +(size / 1e6 / wall).toFixed(1),
      verified: etag === sourceEtag,
      // split and ranges each worker finished, the completing range not included
      sharesPerWorker: runs.map((r) => r.ranges),
      loadAtStart: load,
    };
    rows.push(row);
    console.log(JSON.stringify(row));
    await deleteBucket(dst, db);
  }
  const one = rows.find((r) => r.workers === 1);
  console.log(
    JSON.stringify({
      size: values.size,
      settings: { files: values.files, parts: values.parts, partsPerRange: values.range },
      completion: values["stock-completion"] ? "moto" : "streamed",
      wan: { oneWayDelayMs: Number(values.delay), window: values.window },
      machine: describeMachine(machine),
      speedup: rows.map((r) => [
        r.workers,
        one ? +(Number(one.wallSeconds) / Number(r.wallSeconds)).toFixed(2) : undefined,
      ]),
    }),
  );
} finally {
  await wan.close();
  await emulators.stop();
  rmSync(dir, { recursive: true, force: true });
}
