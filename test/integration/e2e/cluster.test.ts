import { mkdtempSync, rmSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ListMultipartUploadsCommand, ListPartsCommand } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createLedgerTable, DynamoLedger } from "../../../worker/src/ledger/index.js";
import { SqsQueue } from "../../../worker/src/queue/index.js";
import { clientConfig, s3For, uniqueBucket } from "../../emulator/clients.js";
import {
  defaultCredentials,
  type LongbowProcess,
  runLongbow,
  writeMigration,
  writeProfiles,
} from "../../support/cli.js";
import { countOf, startCountingProxy } from "../../support/counting-proxy.js";
import { type FaultProxy, startHoldingProxy } from "../../support/fault-proxy.js";
import { dynamoWriteOps } from "../../support/ledgers.js";
import { bytesFor, createBucket, getBytes, putObject } from "../../support/s3-objects.js";
import { createTestSqsQueue } from "../../support/sqs-queue.js";

const { global, china } = inject("emulator");
const [src, dst] = [s3For(global), s3For(china)];
const dir = mkdtempSync(join(tmpdir(), "longbow-e2e-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const KiB = 1024;
const MiB = 1048576;

const dynamoWrites = [...dynamoWriteOps];

async function inParallel<T>(items: readonly T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await fn(item);
      }
    }),
  );
}

describe("cluster mode end to end: send → three workers on SQS + DynamoDB", () => {
  it("copies every object once, survives a SIGKILL mid-upload, and dead-letters a poison job", async () => {
    const proxy = await startCountingProxy(global.endpoint);
    let slowParts: FaultProxy | undefined;
    const t0 = Date.now();
    const phases: Record<string, number> = {};
    const mark = (phase: string) => {
      phases[phase] = Date.now() - t0;
    };
    try {
      const sqs = new SQSClient(clientConfig(global, proxy.endpoint));
      const { queueUrl } = await createTestSqsQueue(sqs, { maxReceiveCount: 3, visibilitySeconds: 3 });
      const tableName = uniqueBucket("e2e-ledger");
      const ddb = new DynamoDBClient(clientConfig(global, proxy.endpoint));
      await createLedgerTable(ddb, tableName);
      const ledger = new DynamoLedger({
        client: DynamoDBDocumentClient.from(ddb, { marshallOptions: { removeUndefinedValues: true } }),
        tableName,
      });

      // 197 small objects of a few KiB under nested prefixes, 3 multipart ones of 12 MiB.
      const [sb, db, poisonSrc] = [
        uniqueBucket("e2e-src"),
        uniqueBucket("e2e-dst"),
        uniqueBucket("e2e-poison"),
      ];
      await Promise.all([createBucket(src, sb, global.region), createBucket(src, poisonSrc, global.region)]);
      await createBucket(dst, db, china.region);
      const objects = new Map<string, number>();
      for (let i = 0; i < 197; i++) objects.set(`p${i % 7}/d${i % 3}/obj ${i}.bin`, (1 + (i % 8)) * KiB);
      for (let i = 0; i < 3; i++) objects.set(`big/blob-${i}.bin`, 12 * MiB);
      await inParallel([...objects], 8, ([k, size]) => putObject(src, sb, k, bytesFor(k, size)));
      await putObject(src, poisonSrc, "poison.bin", bytesFor("poison", 100));
      // Parts 2 and 3 of the big objects are held on their way to the destination until a
      // worker is killed, so one part is there and the others are not when it is (a worker
      // runs a lone object's parts on every idle connection, so they would otherwise land
      // together).
      const holding = await startHoldingProxy(
        china.endpoint,
        (url) => url.includes("/mirror/big/") && /partNumber=[23]\b/.test(url),
      );
      const heldParts = holding.held;
      slowParts = holding.proxy;
      writeMigration(
        dir,
        "e2e-main",
        { side: global, bucket: sb },
        { side: china, bucket: db, prefix: "mirror/", endpoint: slowParts.endpoint },
      );
      // Its destination is reached with the other side's key: refused.
      writeMigration(
        dir,
        "e2e-poison",
        { side: global, bucket: poisonSrc },
        { side: china, bucket: db, prefix: "poison/", profile: "global" },
      );

      const env = {
        ...writeProfiles(join(dir, "aws"), [global, china]),
        ...defaultCredentials(global),
        AWS_ENDPOINT_URL_SQS: proxy.endpoint,
        AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint,
        LONGBOW_HEARTBEAT_SECONDS: "1",
        LONGBOW_PART_SIZE_MB: "5",
        LONGBOW_PARTS_IN_PARALLEL: "1",
        LONGBOW_FILES_IN_PARALLEL: "4",
        LONGBOW_LOG_LEVEL: "info",
      };
      const cluster = ["--queue-url", queueUrl, "--table-name", tableName];
      mark("seeded");

      const send = runLongbow(["send", "--dir", dir, "--migration", "e2e-main", ...cluster], env);
      expect(await send.exited, `${send.stdout()}\n${send.stderr()}`).toBe(0);
      const sent = send
        .stdout()
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      expect(sent.map((s) => [s.migration, s.sent])).toEqual([["e2e-main", 200]]);
      // A job sent before the destination key was rotated: it can no longer succeed.
      const poison = {
        migration: "e2e-poison",
        source: { bucket: poisonSrc, key: "poison.bin", size: 100 },
        destination: { bucket: db, key: "poison/poison.bin" },
      };
      await new SqsQueue({ client: sqs, queueUrl }).send(await ledger.enqueue([poison], new Date()));
      const afterSend = { ...proxy.counts };
      mark("sent");

      const workers: LongbowProcess[] = [0, 1, 2].map(() =>
        runLongbow(["work", "--migrations-dir", dir, ...cluster, "--exit-when-idle"], env),
      );
      // SIGKILL the worker holding a multipart upload once one of its parts is at the destination.
      let victim: { key: string; pid: number } | undefined;
      while (!victim) {
        for (let i = 0; i < 3 && !victim; i++) {
          const key = `big/blob-${i}.bin`;
          const uploads = await dst.send(
            new ListMultipartUploadsCommand({ Bucket: db, Prefix: `mirror/${key}` }),
          );
          const upload = uploads.Uploads?.[0];
          if (!upload?.UploadId) continue;
          const parts = await dst.send(
            new ListPartsCommand({ Bucket: db, Key: `mirror/${key}`, UploadId: upload.UploadId }),
          );
          const item = await ledger.get({ migration: "e2e-main", source: { bucket: sb, key } });
          const pid = Number(item?.workerId?.replace(`${hostname()}-`, ""));
          if ((parts.Parts?.length ?? 0) >= 1 && (parts.Parts?.length ?? 0) < 3 && pid > 0)
            victim = { key, pid };
        }
        if (workers.every((w) => w.child.exitCode !== null)) throw new Error("workers ended before the kill");
        await new Promise((r) => setTimeout(r, 50));
      }
      const killed = workers.find((w) => w.child.pid === victim?.pid);
      expect(killed).toBeDefined();
      killed?.child.kill("SIGKILL");
      await killed?.exited;
      heldParts.open();
      mark("killed");
      const codes = await Promise.all(workers.map((w) => w.exited));
      mark("workers done");
      expect(codes.filter((c) => c === 0)).toHaveLength(2);

      // Every object is at the destination, byte for byte.
      await inParallel([...objects], 8, async ([k, size]) => {
        expect((await getBytes(dst, db, `mirror/${k}`)).equals(bytesFor(k, size)), k).toBe(true);
      });
      // No object was copied twice; the killed upload was resumed, not restarted.
      const copied = workers.flatMap((w) => w.lines().filter((l) => l.msg === "object copied"));
      const perKey = new Map<string, number>();
      for (const l of copied) perKey.set(String(l.key), (perKey.get(String(l.key)) ?? 0) + 1);
      expect([...perKey].filter(([, n]) => n > 1)).toEqual([]);
      const resumed = copied.find((l) => l.key === victim?.key);
      expect(resumed?.partsReused).toBeGreaterThanOrEqual(1);
      const item = await ledger.get({ migration: "e2e-main", source: { bucket: sb, key: victim.key } });
      // the killed attempt ended nowhere: one attempt, no failure
      expect(item).toMatchObject({ status: "done", attempts: 1, failures: 0 });
      expect(item?.workerId).not.toBe(`${hostname()}-${victim.pid}`);
      // EMF metric lines on stdout
      expect(workers.some((w) => w.stdout().includes('"Namespace":"Longbow"'))).toBe(true);

      // The poison job is in the dead-letter queue and in the report, with its reason.
      const report = runLongbow(["report", "--json", ...cluster], env);
      expect(await report.exited, report.stderr()).toBe(0);
      const r = JSON.parse(report.stdout());
      expect(r.queue).toEqual({ visible: 0, inFlight: 0, dead: 1 });
      const byName = Object.fromEntries(r.migrations.map((m: { migration: string }) => [m.migration, m]));
      expect(byName["e2e-main"]).toMatchObject({
        objects: { total: 200, done: 200, failed: 0 },
        finished: true,
      });
      expect(byName["e2e-poison"].objects.failed).toBe(1);
      expect(byName["e2e-poison"].failures[0].reason).toMatch(/InvalidAccessKeyId|denied|refused/i);

      const work = Object.fromEntries(
        Object.entries(proxy.counts).map(([op, n]) => [op, n - (afterSend[op] ?? 0)]),
      );
      const n = objects.size + 1;
      const sqsOps = [
        "SendMessageBatch",
        "SendMessage",
        "ReceiveMessage",
        "DeleteMessage",
        "ChangeMessageVisibility",
        "GetQueueAttributes",
        "GetQueueUrl",
      ];
      const perObject = {
        objects: n,
        sendSqsRequests: countOf(afterSend, sqsOps) / n,
        sendDynamoWrites: countOf(afterSend, dynamoWrites) / n,
        workSqsRequests: countOf(work, sqsOps) / n,
        workDynamoWrites: countOf(work, dynamoWrites) / n,
        workSqs: Object.fromEntries(sqsOps.map((op) => [op, countOf(work, [op])])),
      };
      console.log(
        `e2e requests per object: ${JSON.stringify(perObject)}; phases (ms): ${JSON.stringify(phases)}`,
      );
      expect(perObject.sendDynamoWrites + perObject.workDynamoWrites).toBeLessThanOrEqual(3);
    } finally {
      await Promise.all([proxy.close(), slowParts?.close()]);
    }
  });
});
