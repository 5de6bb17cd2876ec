/**
 * Read-path micro-benchmark (issue 17): the CPU an S3 client spends per GiB of ranged GETs,
 * through the read path (`readIntoOptions`: the body read by `onread` straight into the
 * part buffer) against the SDK's own handler (NodeHttpHandler, the body streamed and
 * copied into the same buffer, as `transfer/source.ts` does when the read path is off).
 *
 *   npm run bench:read-path [-- --mib 1024 --part-mib 8 --concurrency 8 --rounds 3]
 *
 * The bytes come from a keep-alive HTTP server on loopback in a child process, so its CPU
 * is not the client's; it answers every GET with `--part-mib` bytes. Each round runs every
 * mode once, in turn, after one warm-up of each; CPU is `process.cpuUsage()` (user +
 * system, all threads) over the mode's reads only.
 *
 * Modes: `read-path` and `sdk` each go through a client of `createS3Client`, the
 * production client (whose SDK handler runs on the socket budget's agents);
 * `sdk-node-agent` is the SDK's handler on Node's own http.Agent, as the S3 clients' was
 * before the shared budget. "connections opened" counts at the byte server, after warm-up
 * (the read path closes connections parked over 15 s, so a slow round may open some).
 */
import { execFileSync, spawn } from "node:child_process";
import { Agent } from "node:http";
import { availableParallelism, cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { createS3Client, type ReadInto, readIntoOptions } from "../worker/src/s3/index.js";

const { values } = parseArgs({
  options: {
    mib: { type: "string", default: "1024" },
    "part-mib": { type: "string", default: "8" },
    concurrency: { type: "string", default: "8" },
    rounds: { type: "string", default: "3" },
  },
});
const whole = (name: keyof typeof values) => {
  const n = Number(values[name]);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a whole number >= 1`);
  return n;
};
const MiB = 1024 * 1024;
const totalMiB = whole("mib");
const partBytes = whole("part-mib") * MiB;
const concurrency = whole("concurrency");
const rounds = whole("rounds");
const gets = Math.max(1, Math.round((totalMiB * MiB) / partBytes));

/** The byte server: one keep-alive HTTP server answering every GET with `partBytes` bytes. */
const serverSource = `
const { createServer } = require("node:http");
const body = require("node:crypto").randomBytes(${partBytes});
const server = createServer({ keepAlive: true, keepAliveTimeout: 60000 }, (req, res) => {
  req.resume();
  res.writeHead(206, { "content-length": body.length, "content-range": "bytes 0-" + (body.length - 1) + "/" + body.length, etag: '"bench"' });
  res.end(body);
});
let connections = 0;
server.on("connection", () => connections++);
process.on("message", () => process.send(connections));
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
`;
const server = spawn(process.execPath, ["-e", serverSource], { stdio: ["ignore", "pipe", "inherit", "ipc"] });
/** Connections the byte server has accepted so far. */
const accepted = () =>
  new Promise<number>((resolve) => {
    server.once("message", (n) => resolve(Number(n)));
    server.send("count");
  });
const port = await new Promise<number>((resolve, reject) => {
  server.stdout?.once("data", (d: Buffer) => resolve(Number(d.toString().trim())));
  server.once("exit", (code) => reject(new Error(`byte server exited with ${code}`)));
});
const endpoint = `http://127.0.0.1:${port}`;
const credentials = { accessKeyId: "AKIDBENCH", secretAccessKey: "bench-secret" };
const spec = { region: "us-east-1", endpoint, credentials: "default" as const };

type Read = (s3: S3Client, into: Buffer, signal: AbortSignal) => Promise<void>;

/** The read path: the body lands in `into` as the kernel reads it. */
const readInto: Read = async (s3, into, signal) => {
  const sink: ReadInto = { target: (length) => (length === into.length ? into : undefined) };
  const range = `bytes=0-${into.length - 1}`;
  await s3.send(new GetObjectCommand({ Bucket: "b", Key: "k", Range: range }), readIntoOptions(signal, sink));
  if (sink.received !== into.length) throw new Error("read path: the body did not land in the target");
};

/** The SDK's handler: the body streamed in chunks and copied into `into`. */
const readStream: Read = async (s3, into) => {
  const out = await s3.send(
    new GetObjectCommand({ Bucket: "b", Key: "k", Range: `bytes=0-${into.length - 1}` }),
  );
  let filled = 0;
  for await (const chunk of out.Body as AsyncIterable<Uint8Array>) {
    into.set(chunk, filled);
    filled += chunk.length;
  }
  if (filled !== into.length) throw new Error(`sdk: ${filled} of ${into.length} bytes`);
};

interface Mode {
  name: string;
  s3: S3Client;
  read: Read;
}

// One production client per mode: modes sharing one would take each other's connections.
const production = () => createS3Client(spec, { credentials, maxSockets: concurrency, maxAttempts: 1 });
const nodeAgent = new S3Client({
  region: spec.region,
  endpoint,
  forcePathStyle: true,
  credentials,
  maxAttempts: 1,
  responseChecksumValidation: "WHEN_REQUIRED",
  requestChecksumCalculation: "WHEN_REQUIRED",
  requestHandler: new NodeHttpHandler({
    httpAgent: new Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency }),
  }),
});
const modes: Mode[] = [
  { name: "read-path", s3: await production(), read: readInto },
  { name: "sdk", s3: await production(), read: readStream },
  { name: "sdk-node-agent", s3: nodeAgent, read: readStream },
];

/** `count` GETs, `concurrency` at a time, each worker reusing one part buffer. */
async function run(mode: Mode, count: number): Promise<Result> {
  const signal = new AbortController().signal;
  const before = await accepted();
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      const into = Buffer.allocUnsafe(partBytes);
      while (next < count) {
        next++;
        await mode.read(mode.s3, into, signal);
      }
    }),
  );
  const wallS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { cpuS: (cpu.user + cpu.system) / 1e6, wallS, connections: (await accepted()) - before };
}

interface Result {
  cpuS: number;
  wallS: number;
  /** Connections the mode opened. */
  connections: number;
}

const load0 = loadavg();
const started = new Date().toISOString();
for (const mode of modes) await run(mode, concurrency * 2);
const results = new Map(modes.map((m) => [m.name, [] as Result[]]));
for (let r = 0; r < rounds; r++) {
  for (const mode of modes) results.get(mode.name)?.push(await run(mode, gets));
}
const load1 = loadavg();
for (const mode of modes) mode.s3.destroy();
server.kill();

const gib = (gets * partBytes) / 1024 ** 3;
const fmt = (n: number, d = 2) => n.toFixed(d);
let commit = "unknown";
try {
  commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
} catch {}
console.log(
  `read path micro-benchmark: ${gets} GETs of ${partBytes / MiB} MiB (${fmt(gib)} GiB) per mode and round, ${concurrency} at a time, ${rounds} rounds`,
);
console.log(
  `machine: ${availableParallelism()} CPUs (${cpus()[0]?.model ?? "unknown"}), Node ${process.version}; load average ${load0.map((x) => fmt(x)).join(" ")} at start, ${load1.map((x) => fmt(x)).join(" ")} at end; date ${started}; commit ${commit}`,
);
console.log("");
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};
console.log(
  "| mode | CPU s/GiB: median (each round) | wall s: median (each round) | MiB/s at the median wall | connections opened |",
);
console.log("|---|---|---|---|---|");
for (const mode of modes) {
  const rs = results.get(mode.name) ?? [];
  const cpu = rs.map((r) => r.cpuS / gib);
  const wall = rs.map((r) => r.wallS);
  console.log(
    `| ${mode.name} | **${fmt(median(cpu))}** (${cpu.map((x) => fmt(x)).join(", ")}) | ${fmt(median(wall))} (${wall.map((x) => fmt(x)).join(", ")}) | ${fmt((gib * 1024) / median(wall), 0)} | ${rs.map((r) => r.connections).join(", ")} |`,
  );
}
