import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  CreateBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
} from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLedgerTable, DynamoLedger } from "../../../worker/src/ledger/index.js";
import { SqsQueue } from "../../../worker/src/queue/index.js";
import { splitRanges } from "../../../worker/src/transfer/index.js";
import { clientConfig, s3For } from "../../emulator/clients.js";
import type { EmulatorSide } from "../../emulator/emulator.js";
import { type MotoServer, startMoto } from "../../emulator/moto.js";
import { longbowBin, longbowResult, repoRoot, writeProfiles } from "../../support/cli.js";
import { type FaultProxy, gate, startFaultProxy } from "../../support/fault-proxy.js";
import { bytesFor } from "../../support/s3-objects.js";
import { createTestSqsQueue } from "../../support/sqs-queue.js";
import { getBytes, KiB, putParts } from "../transfer/helpers.js";

// One emulator that takes 64 KiB parts (S3 and the shared emulators insist on 5 MiB), for
// both sides and the queue and table; each side still has its own key. The workers are the
// real `longbow work`, told of the smaller parts by LONGBOW_MIN_PART_SIZE_KB.
const minPartSize = 64 * KiB;
const partsPerRange = 8;
const dir = mkdtempSync(join(tmpdir(), "longbow-fanout-e2e-"));

interface Worker {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  exited: Promise<number | null>;
}

function startWorker(args: string[], env: Record<string, string>): Worker {
  const child = spawn(process.execPath, [longbowBin, ...args], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: Record<string, unknown>[] = [];
  let rest = "";
  const onData = (d: Buffer) => {
    rest += d.toString();
    const parts = rest.split("\n");
    rest = parts.pop() ?? "";
    for (const l of parts) {
      try {
        lines.push(JSON.parse(l) as Record<string, unknown>);
      } catch {
        lines.push({ msg: l });
      }
    }
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  return { child, lines, exited: new Promise((r) => child.once("exit", (code) => r(code))) };
}

/** Resolves once `check` holds, looking again whenever a worker prints a line or S3 is asked. */
async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  workers: Worker[],
): Promise<void> {
  for (;;) {
    if (await check()) return;
    if (workers.every((w) => w.child.exitCode !== null)) throw new Error(`workers ended before ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("cluster fan-out end to end: one giant object, three workers, one killed mid-range", () => {
  let moto: MotoServer;
  let recorder: FaultProxy | undefined;
  beforeAll(async () => {
    moto = await startMoto({ name: "fanout-e2e", env: { S3_UPLOAD_PART_MIN_SIZE: String(minPartSize) } });
    // built once here, not by three workers racing to rebuild a stale dist/
    expect((await longbowResult(["--version"], { PATH: process.env.PATH ?? "" })).code).toBe(0);
  }, 180_000);
  afterAll(async () => {
    await recorder?.close();
    await moto?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("copies the ranges on all three workers into one upload, resumes the killed range, and counts one object", async () => {
    const side = (name: "global" | "china", key: string): EmulatorSide => ({
      name,
      region: "us-east-1",
      endpoint: moto.endpoint,
      directEndpoint: moto.endpoint,
      accessKeyId: `AKIDFANOUT${key}`,
      secretAccessKey: `fanout-${name}-secret-for-the-emulator`,
      pid: moto.pid,
    });
    const [global, china] = [side("global", "GLOBAL00001"), side("china", "CHINA000001")];
    const s3 = s3For(global);
    const [sb, db] = ["fanout-e2e-src", "fanout-e2e-dst"];
    await s3.send(new CreateBucketCommand({ Bucket: sb }));
    await s3.send(new CreateBucketCommand({ Bucket: db }));
    // 120 parts of 64 KiB and a tail: 121 parts, 16 ranges of 8
    const sizes = [...Array.from({ length: 120 }, () => minPartSize), 10 * KiB];
    const data = bytesFor(
      "giant",
      sizes.reduce((a, b) => a + b, 0),
    );
    const etag = await putParts(s3, sb, "giant.bin", data, sizes);

    // Every UploadPart waits until all three workers hold a range; then the victim's range
    // lets its first part through and holds the rest until the victim is killed (its held
    // requests are then dropped, never forwarded).
    const start = gate();
    let held: { first: number; last: number } | undefined;
    const victimKilled = gate();
    const heldOnce = new Set<number>();
    recorder = await startFaultProxy({
      target: moto.endpoint,
      beforeForward: async (r) => {
        const part = /[?&]partNumber=(\d+)/.exec(r.url);
        if (r.method !== "PUT" || part === null) return;
        await start.pass();
        const n = Number(part[1]);
        if (held && n > held.first && n <= held.last && !heldOnce.has(n)) {
          heldOnce.add(n);
          await victimKilled.pass();
          throw new Error("held for a killed worker");
        }
      },
    });
    writeFileSync(
      join(dir, "fan.yaml"),
      [
        "name: fan",
        "source:",
        `  bucket: ${sb}`,
        "  region: us-east-1",
        `  endpoint: ${moto.endpoint}`,
        "  credentials: { profile: global }",
        "destination:",
        `  bucket: ${db}`,
        "  region: us-east-1",
        `  endpoint: ${recorder.endpoint}`,
        "  credentials: { profile: china }",
        "limits:",
        "  fanoutThresholdMB: 1",
        "",
      ].join("\n"),
    );
    const sqs = new SQSClient(clientConfig(global));
    const { queueUrl } = await createTestSqsQueue(sqs, { maxReceiveCount: 5, visibilitySeconds: 3 });
    const ddb = new DynamoDBClient(clientConfig(global));
    const tableName = "fanout-e2e-ledger";
    await createLedgerTable(ddb, tableName);
    const ledger = new DynamoLedger({
      client: DynamoDBDocumentClient.from(ddb, { marshallOptions: { removeUndefinedValues: true } }),
      tableName,
    });
    const job = {
      migration: "fan",
      source: { bucket: sb, key: "giant.bin", size: data.length, etag },
      destination: { bucket: db, key: "giant.bin" },
    };
    await new SqsQueue({ client: sqs, queueUrl }).send(await ledger.enqueue([job], new Date()));

    const env = {
      ...writeProfiles(join(dir, "aws"), [global, china]),
      AWS_ACCESS_KEY_ID: global.accessKeyId,
      AWS_SECRET_ACCESS_KEY: global.secretAccessKey,
      AWS_REGION: "us-east-1",
      AWS_ENDPOINT_URL_SQS: moto.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: moto.endpoint,
      LONGBOW_HEARTBEAT_SECONDS: "1",
      LONGBOW_FILES_IN_PARALLEL: "1",
      LONGBOW_PARTS_IN_PARALLEL: "1",
      LONGBOW_FANOUT_PARTS_PER_RANGE: String(partsPerRange),
      LONGBOW_MIN_PART_SIZE_KB: String(minPartSize / KiB),
      // debug: each worker logs the ranges it starts ("part range started")
      LONGBOW_LOG_LEVEL: "debug",
    };
    const args = [
      "work",
      "--migrations-dir",
      dir,
      "--queue-url",
      queueUrl,
      "--table-name",
      tableName,
      "--exit-when-idle",
      "--no-metrics",
    ];
    const workers = [0, 1, 2].map(() => startWorker(args, env));
    const rangesOf = (w: Worker) => w.lines.filter((l) => l.msg === "part range started");
    try {
      await until(() => workers.every((w) => rangesOf(w).length > 0), "every worker held a range", workers);
      const victim = workers[0] as Worker;
      const range = rangesOf(victim).at(-1) as { first: number; last: number };
      held = { first: range.first, last: range.last };
      start.open();
      const uploadId = await (async () => {
        const up = await s3.send(new ListMultipartUploadsCommand({ Bucket: db }));
        return up.Uploads?.[0]?.UploadId as string;
      })();
      await until(
        async () => {
          const parts = await s3.send(
            new ListPartsCommand({ Bucket: db, Key: "giant.bin", UploadId: uploadId }),
          );
          return (parts.Parts ?? []).some((p) => p.PartNumber === held?.first);
        },
        "the victim's first part landed",
        workers,
      );
      victim.child.kill("SIGKILL");
      await victim.exited;
      victimKilled.open();
      const codes = await Promise.all(workers.slice(1).map((w) => w.exited));
      expect(codes, JSON.stringify(workers.map((w) => w.lines.slice(-5)))).toEqual([0, 0]);

      // Byte for byte, with the source's own ETag (md5-of-md5s-121, proven and mirrored).
      expect((await getBytes(s3, db, "giant.bin")).equals(data)).toBe(true);
      const head = await s3.send(new HeadObjectCommand({ Bucket: db, Key: "giant.bin" }));
      expect(head.ETag?.replace(/"/g, "")).toBe(etag);
      // One upload, created once and completed once; none left behind.
      const seen = recorder.requests;
      expect(seen.filter((r) => r.method === "POST" && /[?&]uploads(=|&|$)/.test(r.url))).toHaveLength(1);
      expect(seen.filter((r) => r.method === "POST" && r.url.includes("uploadId="))).toHaveLength(1);
      expect((await s3.send(new ListMultipartUploadsCommand({ Bucket: db }))).Uploads ?? []).toEqual([]);
      // The killed range was taken over: its landed part was kept, not sent again.
      const sends = (n: number) =>
        seen.filter((r) => r.method === "PUT" && new RegExp(`[?&]partNumber=${n}(&|$)`).test(r.url)).length;
      expect(sends(held.first)).toBe(1);
      expect(workers.slice(1).some((w) => rangesOf(w).some((l) => l.first === held?.first))).toBe(true);
      // All three copied ranges; the ledger counts one object, done, once.
      expect(workers.map((w) => rangesOf(w).length > 0)).toEqual([true, true, true]);
      const summary = await ledger.summary("fan");
      expect(summary.counters.done).toEqual({ objects: 1, bytes: data.length });
      expect(summary.counters.pending.objects).toBe(0);
      expect(summary.fanouts).toBeUndefined();
      expect(await ledger.get(job)).toMatchObject({
        status: "done",
        verification: "source-etag",
        failures: 0,
      });
      expect(await ledger.fanout(job)).toMatchObject({
        ended: "completed",
        partsDone: 121,
        rangesTotal: splitRanges(121, partsPerRange).length,
      });
    } finally {
      for (const w of workers) if (w.child.exitCode === null) w.child.kill("SIGKILL");
    }
  });
});
