/**
 * The floor under `work`'s CPU per small object: one GET and one PUT (with Content-MD5) of
 * 1 KiB through the product's S3 client (`createS3Client`, the GET read into a buffer as
 * `getWholeSource` does) and through a plain SDK `S3Client`, against the S3 stand-in in a
 * process of its own, 16 pairs at once. Reports this process's CPU per pair.
 *
 *   npx tsx bench/s3-pair-cpu.ts --client longbow; npx tsx bench/s3-pair-cpu.ts --client plain
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { createS3Client, readIntoOptions } from "../worker/src/s3/index.js";

const { values } = parseArgs({
  options: {
    pairs: { type: "string", default: "4000" },
    // one client per run: a second client in the same process would find the SDK's code
    // already optimised by the first and look cheaper
    client: { type: "string", default: "longbow" },
  },
});
const here = dirname(fileURLToPath(import.meta.url));
const server = spawn(process.execPath, ["--import", "tsx", join(here, "standin", "s3-standin-serve.ts")], {
  stdio: ["ignore", "pipe", "inherit"],
});
const endpoint = await new Promise<string>((resolve, reject) => {
  server.stdout.once("data", (d: Buffer) => resolve(d.toString().trim()));
  server.once("exit", (code) => reject(new Error(`the S3 stand-in exited ${code}`)));
});
const credentials = { accessKeyId: "bench", secretAccessKey: "bench" };
const md5 = (b: Buffer) => createHash("md5").update(b).digest("base64");

async function pairs(client: "longbow" | "plain", n: number): Promise<void> {
  const s3 =
    client === "plain"
      ? new S3Client({
          endpoint,
          region: "us-east-1",
          forcePathStyle: true,
          credentials,
          responseChecksumValidation: "WHEN_REQUIRED",
          requestChecksumCalculation: "WHEN_REQUIRED",
        })
      : await createS3Client({ endpoint, region: "us-east-1", credentials: "default" }, { credentials });
  const one = async (i: number) => {
    const signal = new AbortController().signal;
    let data: Buffer | undefined;
    if (client === "longbow") {
      const sink = {
        target(length: number) {
          data = Buffer.allocUnsafe(length);
          return data;
        },
      };
      await s3.send(new GetObjectCommand({ Bucket: "src", Key: `k/${i}` }), readIntoOptions(signal, sink));
    } else {
      const got = await s3.send(new GetObjectCommand({ Bucket: "src", Key: `k/${i}` }), {
        abortSignal: signal,
      });
      data = Buffer.from((await got.Body?.transformToByteArray()) ?? []);
    }
    if (data === undefined || data.length !== 1024) throw new Error(`GET k/${i} read ${data?.length} bytes`);
    await s3.send(
      new PutObjectCommand({
        Bucket: "dst",
        Key: `k/${i}`,
        Body: data,
        ContentLength: data.length,
        ContentMD5: md5(data),
      }),
      { abortSignal: signal },
    );
  };
  const run = async (count: number) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < count) await one(next++);
      }),
    );
  };
  await run(500); // warm: connections open, code optimised
  const load = loadavg()[0]?.toFixed(2);
  const before = process.cpuUsage();
  const started = Date.now();
  await run(n);
  const used = process.cpuUsage(before);
  s3.destroy();
  console.log(
    JSON.stringify({
      client,
      pairs: n,
      wallSeconds: (Date.now() - started) / 1000,
      cpuMsPerPair: +((used.user + used.system) / 1000 / n).toFixed(3),
      userMsPerPair: +(used.user / 1000 / n).toFixed(3),
      machine: `${cpus().length} × ${cpus()[0]?.model ?? "?"}, load ${load}`,
      node: process.version,
    }),
  );
}

try {
  const c = values.client;
  if (c !== "longbow" && c !== "plain") throw new Error(`--client is longbow or plain, got '${c}'`);
  await pairs(c, Number(values.pairs));
} finally {
  server.kill();
}
