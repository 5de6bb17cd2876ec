/**
 * Client CPU of `longbow work` per small object (issue 21, item 4): seeds N objects of
 * 1 KiB on the "global" emulator, queues them with `longbow send` (SQS + DynamoDB on the
 * emulator), then runs one `longbow work --exit-when-idle` from the built bundle
 * (dist/longbow.mjs, as the fleet runs it) and reports its CPU time per object, optionally
 * with a V8 CPU profile summarised by where the time goes.
 *
 *   npm run build && npx tsx bench/work-profile.ts --objects 2000 [--profile DIR] [--keep-alive] [--set KEY=VALUE]...
 *     [--endpoints moto|standin] [--latency MS] [--client-cpus LIST]
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { clientConfig, s3For, uniqueBucket } from "../test/emulator/clients.js";
import { startEmulators } from "../test/emulator/emulator.js";
import { defaultCredentials, repoRoot, writeMigration, writeProfiles } from "../test/support/cli.js";
import { createBucket } from "../test/support/s3-objects.js";
import { createTestSqsQueue } from "../test/support/sqs-queue.js";
import { createLedgerTable } from "../worker/src/ledger/index.js";
import { startS3Standin } from "./standin/s3-standin.js";
import { startStandin } from "./standin/standin.js";

const { values } = parseArgs({
  options: {
    objects: { type: "string", default: "2000" },
    profile: { type: "string" },
    "keep-alive": { type: "boolean", default: false },
    // moto (SQS, DynamoDB and S3 of the test emulators) or the bench's stand-ins for all three
    endpoints: { type: "string", default: "moto" },
    // `taskset -c` CPU list for send and work, e.g. 0 with the bench itself started under
    // `taskset -c 1`: the client then shares no core with the emulators
    "client-cpus": { type: "string" },
    // with the stand-ins: held before each of their answers (a far region's round trip)
    latency: { type: "string", default: "0" },
    // a setting for `work` only, e.g. --set LONGBOW_LOG_LEVEL=warn: what one setting costs
    set: { type: "string", multiple: true, default: [] },
  },
});
const workEnv = Object.fromEntries(
  (values.set ?? []).map((kv) => {
    const at = kv.indexOf("=");
    if (at < 1) throw new Error(`--set wants KEY=VALUE, got '${kv}'`);
    return [kv.slice(0, at), kv.slice(at + 1)];
  }),
);
if (values["keep-alive"]) {
  // the bench's emulator adjustment (bench/emulator/sitecustomize.py): connections reused, as real endpoints allow
  process.env.PYTHONPATH = join(repoRoot, "bench", "emulator");
  process.env.LONGBOW_BENCH_KEEP_ALIVE = "1";
}
const objects = Number(values.objects);
if (values.endpoints !== "moto" && values.endpoints !== "standin")
  throw new Error(`--endpoints is moto or standin, got '${values.endpoints}'`);
const useStandin = values.endpoints === "standin";
const latencyMs = Number(values.latency);
if (!Number.isFinite(latencyMs) || latencyMs < 0 || (latencyMs > 0 && !useStandin))
  throw new Error(`--latency is a number of ms >= 0, with --endpoints standin only; got '${values.latency}'`);
const bundle = join(repoRoot, "dist", "longbow.mjs");

/** Runs the bundle; resolves with its exit code and CPU seconds (user + system, from /proc via `time`). */
function run(args: string[], env: Record<string, string>, nodeArgs: string[] = []) {
  return new Promise<{
    code: number | null;
    cpu: number;
    user: number;
    sys: number;
    wall: number;
    stderr: string;
  }>((resolve) => {
    const started = process.hrtime.bigint();
    const pin = values["client-cpus"] === undefined ? [] : ["taskset", "-c", values["client-cpus"]];
    const command = [...pin, process.execPath, ...nodeArgs, bundle, ...args];
    const child = spawn("/usr/bin/time", ["-f", "%U %S", ...command], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    child.stderr?.on("data", (d: Buffer) => {
      err += d.toString();
    });
    child.on("exit", (code) => {
      const last = err.trim().split("\n").at(-1) ?? "";
      const [user, sys] = last.split(" ").map(Number);
      resolve({
        code,
        cpu: (user ?? 0) + (sys ?? 0),
        user: user ?? 0,
        sys: sys ?? 0,
        wall: Number(process.hrtime.bigint() - started) / 1e9,
        stderr: err,
      });
    });
  });
}

/** Self time per bucket of a .cpuprofile, by the script URL and function name of each node. */
function summarise(file: string): [string, number][] {
  const prof = JSON.parse(readFileSync(file, "utf8")) as {
    nodes: { id: number; callFrame: { functionName: string; url: string }; hitCount?: number }[];
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const bucket = (n: { callFrame: { functionName: string; url: string } }): string => {
    const { url, functionName: f } = n.callFrame;
    if (f === "(garbage collector)") return "GC";
    if (f === "(idle)" || f === "(program)") return f;
    if (/signature-v4|sigv4|signing|hmac|createHash/i.test(url + f)) return "SigV4 signing and hashing";
    if (/fast-xml-parser|xml/i.test(url)) return "XML parsing";
    if (/middleware|smithy|core\/dist|resolve/i.test(url)) return "SDK middleware and serde";
    if (/pino|log/i.test(url + f)) return "logging";
    if (/node:net|node:_http|node:http|node:tls|_stream|node:internal\/(net|stream|http)/.test(url))
      return "HTTP and sockets";
    if (/md5|checksum|crc/i.test(url + f)) return "MD5 and checksums";
    if (/dynamodb|lib-dynamodb/i.test(url)) return "DynamoDB client";
    if (/client-sqs/.test(url)) return "SQS client";
    if (url.includes("longbow.mjs")) return "longbow (bundle, own code and inlined libs)";
    return url === "" ? `native: ${f}` : "other JS";
  };
  const totals = new Map<string, number>();
  prof.samples.forEach((id, i) => {
    const node = byId.get(id);
    if (!node) return;
    const k = bucket(node);
    totals.set(k, (totals.get(k) ?? 0) + (prof.timeDeltas[i] ?? 0) / 1000);
  });
  return [...totals.entries()].sort((a, b) => b[1] - a[1]);
}

const emulators = await startEmulators();
const closers: (() => Promise<void>)[] = [];
const dir = mkdtempSync(join(tmpdir(), "longbow-work-profile-"));
try {
  const { global, china } = emulators.info;
  const [src, dst] = [s3For(global), s3For(china)];
  const [sb, db] = [uniqueBucket("prof-src"), uniqueBucket("prof-dst")];
  await createBucket(src, sb, global.region);
  await createBucket(dst, db, china.region);
  const body = Buffer.alloc(1024, 7);
  for (let i = 0; i < objects; i += 32) {
    await Promise.all(
      Array.from({ length: Math.min(32, objects - i) }, (_, j) =>
        src.send(
          new PutObjectCommand({ Bucket: sb, Key: `k/${String(i + j).padStart(7, "0")}`, Body: body }),
        ),
      ),
    );
  }
  // send always lists the emulator's buckets; with the stand-ins, SQS and DynamoDB answer
  // from bench/standin/ for send and work, and work's S3 GETs and PUTs go to the S3 stand-in
  // under the same migration name (the bytes it serves are the ones seeded above)
  const standin = useStandin ? await startStandin({ region: global.region, delayMs: latencyMs }) : undefined;
  const s3Standin = useStandin
    ? await startS3Standin({ seed: (b) => (b === sb ? body : undefined), delayMs: latencyMs })
    : undefined;
  if (standin) closers.push(() => standin.close());
  if (s3Standin) closers.push(() => s3Standin.close());
  const control = { ...clientConfig(global), ...(standin ? { endpoint: standin.endpoint } : {}) };
  const sqs = new SQSClient(control);
  const { queueUrl } = await createTestSqsQueue(sqs, { visibilitySeconds: 120 });
  const tableName = uniqueBucket("prof-ledger");
  await createLedgerTable(new DynamoDBClient(control), tableName);
  const migrations = writeMigration(
    join(dir, "migrations"),
    "prof",
    { side: global, bucket: sb },
    { side: china, bucket: db },
  );
  const workMigrations = s3Standin
    ? writeMigration(
        join(dir, "work-migrations"),
        "prof",
        { side: global, bucket: sb, endpoint: s3Standin.endpoint },
        { side: china, bucket: db, endpoint: s3Standin.endpoint },
      )
    : migrations;
  const env = {
    ...writeProfiles(join(dir, "aws"), [global, china]),
    ...defaultCredentials(global),
    AWS_ENDPOINT_URL: control.endpoint,
    LONGBOW_LOG_LEVEL: "info",
  };
  const cluster = ["--queue-url", queueUrl, "--table-name", tableName];
  const send = await run(["send", "--dir", migrations, ...cluster], env);
  if (send.code !== 0) throw new Error(`send exited ${send.code}: ${send.stderr.slice(-2000)}`);
  const profDir = values.profile;
  const nodeArgs = profDir ? ["--cpu-prof", `--cpu-prof-dir=${profDir}`] : [];
  const load = loadavg()[0]?.toFixed(2);
  const work = await run(
    ["work", "--migrations-dir", workMigrations, "--exit-when-idle", ...cluster],
    { ...env, ...workEnv },
    nodeArgs,
  );
  if (work.code !== 0) throw new Error(`work exited ${work.code}: ${work.stderr.slice(-2000)}`);
  console.log(
    JSON.stringify({
      objects,
      ...(Object.keys(workEnv).length === 0 ? {} : { settings: workEnv }),
      endpoints: useStandin
        ? `stand-ins (bench/standin/) for SQS, DynamoDB and work's S3, answering after ${latencyMs} ms; send lists moto`
        : "moto",
      emulator: values["keep-alive"] ? "keep-alive patched" : "stock (Connection: close)",
      machine: `${cpus().length} × ${cpus()[0]?.model ?? "?"}, load ${load} at start`,
      ...(values["client-cpus"] === undefined ? {} : { clientCpus: values["client-cpus"] }),
      node: process.version,
      send: {
        wallSeconds: +send.wall.toFixed(1),
        cpuSeconds: send.cpu,
        cpuMsPerObject: +((send.cpu * 1000) / objects).toFixed(2),
      },
      work: {
        wallSeconds: +work.wall.toFixed(1),
        objectsPerSecond: +(objects / work.wall).toFixed(1),
        cpuSeconds: work.cpu,
        userSeconds: work.user,
        systemSeconds: work.sys,
        cpuMsPerObject: +((work.cpu * 1000) / objects).toFixed(2),
      },
    }),
  );
  if (profDir) {
    const file = readdirSync(profDir)
      .filter((f) => f.endsWith(".cpuprofile"))
      .map((f) => join(profDir, f))
      .sort()
      .at(-1);
    if (file)
      for (const [k, ms] of summarise(file)) console.log(`${k.padEnd(48)} ${(ms / 1000).toFixed(2)} s`);
  }
  if (s3Standin) {
    const unknown = [...s3Standin.unknown(), ...(standin?.unknown() ?? [])];
    if (unknown.length > 0)
      console.log(`the stand-ins were asked for what they do not do: ${unknown.join(", ")}`);
    if (s3Standin.stored().size !== objects)
      throw new Error(`work PUT ${s3Standin.stored().size} of ${objects} objects to the stand-in`);
    console.log(JSON.stringify({ s3Requests: s3Standin.requests(), sqsDynamo: standin?.operations() }));
  }
} finally {
  for (const close of closers) await close();
  await emulators.stop();
  rmSync(dir, { recursive: true, force: true });
}
