import { ListPartsCommand, PutBucketNotificationConfigurationCommand } from "@aws-sdk/client-s3";
import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, describe, expect, inject, it } from "vitest";
import {
  createSqsHandler,
  type SqsBatchResponse,
  type SqsHandlerOptions,
  type SqsRecord,
  sqsHandlerOptionsFromEnv,
} from "../../../worker/src/lambda/index.js";
import type { JobMetrics } from "../../../worker/src/metrics/index.js";
import { publishMigrations } from "../../../worker/src/publish/index.js";
import { dynamoFor, s3For, sqsFor, ssmFor, uniqueBucket } from "../../emulator/clients.js";
import { type FaultProxy, startFaultProxy } from "../../support/fault-proxy.js";
import { createTestDynamoLedger } from "../../support/ledgers.js";
import { migrationBetween } from "../../support/migration-buckets.js";
import { bytesFor, getBytes, putObject } from "../../support/s3-objects.js";
import { createTestSqsQueue } from "../../support/sqs-queue.js";

const { global, china } = inject("emulator");
const [src, dst] = [s3For(global), s3For(china)];
const sqs = sqsFor(global);
const MiB = 1048576;
const proxies: FaultProxy[] = [];
afterAll(async () => {
  for (const p of proxies) await p.close();
});

const setUp = (name: string) => migrationBetween(global, china, name);

/** What Lambda's SQS poller does before an invocation: receive, and hand over the records. */
async function receiveRecords(client: SQSClient, queueUrl: string, count: number): Promise<SqsRecord[]> {
  const records: SqsRecord[] = [];
  for (let round = 0; records.length < count && round < 20; round++) {
    const out = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(10, count - records.length),
        WaitTimeSeconds: 1,
        VisibilityTimeout: 60,
        MessageSystemAttributeNames: ["ApproximateReceiveCount"],
      }),
    );
    for (const m of out.Messages ?? []) {
      records.push({
        messageId: m.MessageId ?? "",
        receiptHandle: m.ReceiptHandle ?? "",
        body: m.Body ?? "",
        attributes: { ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? "1" },
      });
    }
  }
  return records;
}

/** What Lambda does after it: delete every record not reported as failed. */
async function deleteSucceeded(queueUrl: string, records: SqsRecord[], out: SqsBatchResponse): Promise<void> {
  const failed = new Set(out.batchItemFailures.map((f) => f.itemIdentifier));
  for (const r of records.filter((r) => !failed.has(r.messageId))) {
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: r.receiptHandle }));
  }
}

const timeLeft = (ms: number) => {
  const end = Date.now() + ms;
  return { getRemainingTimeInMillis: () => end - Date.now() };
};

describe("Lambda worker on SQS and DynamoDB", () => {
  it("copies a batch of jobs and an S3 event, skips a vanished source, reports only the transient failure", async () => {
    const { m, job } = await setUp("lambda-batch");
    const { queue, queueUrl, queueArn } = await createTestSqsQueue(sqs, { maxReceiveCount: 5 });
    const { ledger } = await createTestDynamoLedger(dynamoFor(global));
    const present = [job("a.txt", 100), job("deep/b c+é.bin", 3000)];
    for (const j of present)
      await putObject(src, j.source.bucket, j.source.key, bytesFor(j.source.key, j.source.size ?? 0));
    const missing = job("gone.txt", 5);
    await putObject(src, m.source.bucket, "in/orphan.txt", bytesFor("orphan", 10));
    const transient = {
      ...job("orphan.txt", 10),
      destination: { bucket: uniqueBucket("no-such-bucket"), key: "out/orphan.txt" },
    };
    await queue.send(await ledger.enqueue([...present, missing, transient], new Date()));
    await src.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: m.source.bucket,
        NotificationConfiguration: {
          QueueConfigurations: [{ QueueArn: queueArn, Events: ["s3:ObjectCreated:*"] }],
        },
      }),
    );
    await putObject(src, m.source.bucket, "in/from event.bin", bytesFor("event", 2000));
    const metrics: JobMetrics[] = [];
    const handler = createSqsHandler({
      queue,
      ledger,
      migrations: async () => [m],
      clients: async () => ({ source: src, destination: dst }),
      settings: { filesInParallel: 3, maxRetries: 1 },
      retryBaseDelaySeconds: 0,
      metrics: { jobFinished: (x) => metrics.push(x) },
    });
    // four jobs, the s3:TestEvent of the notification set-up, and the ObjectCreated event
    const records = await receiveRecords(sqs, queueUrl, 6);
    expect(records).toHaveLength(6);
    const out = await handler({ Records: records }, timeLeft(60_000));
    await deleteSucceeded(queueUrl, records, out);

    const transientId = records.find((r) => r.body.includes("no-such-bucket"))?.messageId;
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: transientId }]);
    for (const j of present) {
      const body = await getBytes(dst, j.destination.bucket, j.destination.key);
      expect(body.equals(bytesFor(j.source.key, j.source.size ?? 0))).toBe(true);
      expect(await ledger.get(j)).toMatchObject({ status: "done" });
    }
    expect(
      (await getBytes(dst, m.destination.bucket, "out/from event.bin")).equals(bytesFor("event", 2000)),
    ).toBe(true);
    expect(await ledger.get(missing)).toMatchObject({ status: "skipped" });
    expect(await ledger.get(transient)).toMatchObject({
      status: "queued",
      lastError: expect.stringMatching(/NoSuchBucket/),
    });
    // per item: the emulator's concurrent counter transactions can lose an update (real DynamoDB does not)
    expect(await ledger.get(job("from event.bin", 2000))).toMatchObject({ status: "done" });
    expect(metrics.reduce((n, x) => n + x.objectsCopied, 0)).toBe(3);
    // released with no delay: only the transient job is left, visible again
    expect(await queue.depth()).toEqual({ visible: 1, inFlight: 0, dead: 0 });
  });

  it("cuts a copy when the invocation runs out of time, reports it, and the next invocation resumes the upload", async () => {
    const { m, job } = await setUp("lambda-deadline");
    const { queue, queueUrl } = await createTestSqsQueue(sqs);
    const { ledger } = await createTestDynamoLedger(dynamoFor(global));
    const big = job("big.bin", 10 * MiB);
    const body = bytesFor(big.source.key, 10 * MiB);
    await putObject(src, big.source.bucket, big.source.key, body);
    await queue.send(await ledger.enqueue([big], new Date()));
    // the second part never reaches the destination: the deadline has to cut it
    let cut: (err: Error) => void = () => {};
    const proxy = await startFaultProxy({
      target: china.endpoint,
      beforeForward: (req) =>
        req.method === "PUT" && req.url.includes("partNumber=2")
          ? new Promise<void>((_resolve, reject) => {
              cut = reject;
            })
          : undefined,
    });
    proxies.push(proxy);
    const base: SqsHandlerOptions = {
      queue,
      ledger,
      migrations: async () => [m],
      clients: async () => ({ source: src, destination: dst }),
      settings: { partsInParallel: 1, partSize: 5 * MiB },
      stopReserveMs: 500,
    };
    const first = createSqsHandler({
      ...base,
      workerId: "first",
      clients: async () => ({ source: src, destination: s3For(china, proxy.endpoint) }),
    });
    const records = await receiveRecords(sqs, queueUrl, 1);
    // part 2 is held until the test lets it go: only the deadline can end this invocation
    // (that it fires at time left minus the reserve, and not before, is unit-tested on a fake clock)
    const out = await first({ Records: records }, timeLeft(3_500));
    const heldWhenCut = proxy.requests.filter((r) => r.method === "PUT" && r.url.includes("partNumber=2"));
    cut(new Error("cut by the test"));
    expect(heldWhenCut).toHaveLength(1);
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: records[0]?.messageId }]);
    const mid = await ledger.get(big);
    expect(mid).toMatchObject({ status: "running", workerId: "first" });
    expect(mid?.uploadId).toBeTruthy();
    const parts = await dst.send(
      new ListPartsCommand({
        Bucket: big.destination.bucket,
        Key: big.destination.key,
        UploadId: mid?.uploadId,
      }),
    );
    expect(parts.Parts?.map((p) => p.PartNumber)).toEqual([1]);

    // handed back at once as a new message (the interrupted delivery not counted): the next
    // invocation gets it straight away and keeps part 1
    const again = await receiveRecords(sqs, queueUrl, 1);
    expect(again[0]?.attributes.ApproximateReceiveCount).toBe("1");
    const second = createSqsHandler({ ...base, workerId: "second" });
    expect(await second({ Records: again }, timeLeft(60_000))).toEqual({ batchItemFailures: [] });
    await deleteSucceeded(queueUrl, again, { batchItemFailures: [] });
    expect((await getBytes(dst, big.destination.bucket, big.destination.key)).equals(body)).toBe(true);
    expect(await ledger.get(big)).toMatchObject({ status: "done", attempts: 1, workerId: "second" });
    expect(await queue.depth()).toEqual({ visible: 0, inFlight: 0, dead: 0 });
  });

  it("builds itself from longbow work's environment: queue, ledger, published migrations, LONGBOW_MAX_ATTEMPTS; the last receive is the queue's", async () => {
    const { m, job } = await setUp("lambda-env");
    const { queue, queueUrl } = await createTestSqsQueue(sqs, { maxReceiveCount: 2 });
    const { ledger, tableName } = await createTestDynamoLedger(dynamoFor(global));
    const path = `/${uniqueBucket("lambda-env")}`;
    await publishMigrations([m], ssmFor(global), { path });
    // the SDK's own environment, as the Lambda runtime would set it (endpoint: the emulator)
    const aws = {
      AWS_ENDPOINT_URL: global.endpoint,
      AWS_REGION: global.region,
      AWS_ACCESS_KEY_ID: global.accessKeyId,
      AWS_SECRET_ACCESS_KEY: global.secretAccessKey,
    };
    const saved = Object.fromEntries(Object.keys(aws).map((k) => [k, process.env[k]]));
    Object.assign(process.env, aws);
    try {
      const options = await sqsHandlerOptionsFromEnv({
        ...process.env,
        LONGBOW_QUEUE_URL: queueUrl,
        LONGBOW_TABLE_NAME: tableName,
        LONGBOW_MIGRATIONS_PATH: path,
        LONGBOW_LOG_LEVEL: "silent",
        LONGBOW_MAX_ATTEMPTS: "3",
        AWS_LAMBDA_LOG_STREAM_NAME: "2026/11/26/[$LATEST]abc",
      });
      expect(options.settings?.maxAttempts).toBe(3);
      expect(options.workerId).toBe("lambda/2026/11/26/[$LATEST]abc");
      expect((await options.migrations()).map((x) => x.name)).toEqual(["lambda-env"]);
      // a job of a migration nobody published, on its last receive: failed in the ledger, dead-lettered
      const handler = createSqsHandler({
        ...options,
        metrics: { jobFinished: () => {} },
        retryBaseDelaySeconds: 0,
      });
      const lost = { ...job("x.txt", 1), migration: "never-published" };
      await queue.send(await ledger.enqueue([lost], new Date()));
      const [once] = await receiveRecords(sqs, queueUrl, 1);
      expect(await handler({ Records: once ? [once] : [] }, timeLeft(60_000))).toEqual({
        batchItemFailures: [{ itemIdentifier: once?.messageId }],
      });
      const twice = await receiveRecords(sqs, queueUrl, 1);
      expect(twice[0]?.attributes.ApproximateReceiveCount).toBe("2");
      const out = await handler({ Records: twice }, timeLeft(60_000));
      expect(out.batchItemFailures).toHaveLength(1);
      expect(await ledger.get(lost)).toMatchObject({ status: "failed", workerId: options.workerId });
      // SQS's redrive moves it on the receive after its last (LONGBOW_MAX_ATTEMPTS, 3, was not reached)
      const third = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 0 }));
      expect(third.Messages ?? []).toEqual([]);
      expect(await queue.depth()).toEqual({ visible: 0, inFlight: 0, dead: 1 });
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});
