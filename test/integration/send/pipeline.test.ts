import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { normalizeMigration } from "../../../worker/src/config/index.js";
import type { Job } from "../../../worker/src/job/index.js";
import type { SqsQueue } from "../../../worker/src/queue/index.js";
import { sendMigration } from "../../../worker/src/send/index.js";
import { clientConfig, s3For, uniqueBucket } from "../../emulator/clients.js";
import {
  type LatencyProxy,
  type LatencyProxyOptions,
  startLatencyProxy,
  throttlingError,
  validationError,
} from "../../support/latency-proxy.js";
import { createTestDynamoLedger } from "../../support/ledgers.js";
import { createBucket } from "../../support/s3-objects.js";
import { createTestSqsQueue } from "../../support/sqs-queue.js";

const { global, china } = inject("emulator");
const [source, destination] = [s3For(global), s3For(china)];
const objects = 600;
let sourceBucket: string;
let destinationBucket: string;

beforeAll(async () => {
  sourceBucket = uniqueBucket("pipe-src");
  destinationBucket = uniqueBucket("pipe-dst");
  await createBucket(source, sourceBucket, global.region);
  await createBucket(destination, destinationBucket, china.region);
  const keys = Array.from({ length: objects }, (_, i) => `o/${String(i).padStart(4, "0")}`);
  for (let i = 0; i < keys.length; i += 25) {
    await Promise.all(
      keys
        .slice(i, i + 25)
        .map((Key) => source.send(new PutObjectCommand({ Bucket: sourceBucket, Key, Body: "x" }))),
    );
  }
});

const open: LatencyProxy[] = [];
afterEach(async () => {
  for (const p of open.splice(0)) await p.close();
});

/**
 * The cluster's queue and ledger on the emulator, every SQS and DynamoDB request through
 * one proxy that adds latency and counts what is in flight. (SQS sends each request to its
 * queue's URL, which the emulator builds from the Host the queue was created through.)
 */
async function cluster(options: Omit<LatencyProxyOptions, "target"> & { adaptive?: boolean } = {}) {
  const { adaptive, ...proxyOptions } = options;
  const proxy = await startLatencyProxy({ target: global.endpoint, delayMs: 25, ...proxyOptions });
  open.push(proxy);
  // as the cluster's clients are made (backends/stores.ts)
  const config = { ...clientConfig(global, proxy.endpoint), ...(adaptive ? { retryMode: "adaptive" } : {}) };
  const sqs = new SQSClient(config);
  const { queue } = await createTestSqsQueue(sqs, { visibilitySeconds: 300 });
  const { ledger } = await createTestDynamoLedger(new DynamoDBClient(config));
  const migration = normalizeMigration({
    name: uniqueBucket("pipe"),
    source: { bucket: sourceBucket, region: global.region },
    destination: { bucket: destinationBucket, region: china.region },
  });
  proxy.reset();
  return { proxy, queue, ledger, base: { migration, source, destination, queue, ledger } };
}

/** Takes every message off the queue; their source keys. */
async function drain(queue: SqsQueue): Promise<string[]> {
  const keys: string[] = [];
  for (;;) {
    const got = await queue.receive({ max: 10, waitSeconds: 0 });
    if (got.length === 0) return keys.sort();
    keys.push(...got.map((m) => (JSON.parse(m.body) as Job).source.key));
    await Promise.all(got.map((m) => queue.delete(m)));
  }
}

describe("send pipelines its ledger and queue requests (SQS + DynamoDB behind a delaying proxy)", () => {
  it("keeps the window full: 16 requests in flight by default, never more, and every object sent once", async () => {
    const { proxy, queue, ledger, base } = await cluster();
    const r = await sendMigration(base);
    expect([r.sent, r.alreadyPending]).toEqual([objects, 0]);
    // one request at a time would show 1 here
    expect(proxy.maxInFlight()).toBe(16);
    const ops = proxy.operations();
    expect(ops["DynamoDB_20120810.TransactWriteItems"]?.maxInFlight).toBeGreaterThan(1);
    expect(ops["AmazonSQS.SendMessageBatch"]?.maxInFlight).toBeGreaterThan(1);
    expect(proxy.count(["SendMessageBatch"])).toBe(objects / 10);
    expect((await ledger.summary(base.migration.name)).counters.pending.objects).toBe(objects);
    expect(await drain(queue)).toHaveLength(objects);
  });

  it("honours a smaller window (concurrency)", async () => {
    const { proxy, base } = await cluster();
    await sendMigration({ ...base, concurrency: 4 });
    expect(proxy.maxInFlight()).toBe(4);
  });

  it("re-sends while all are pending with batched reads in flight together, and writes nothing", async () => {
    const { proxy, base } = await cluster();
    await sendMigration(base);
    proxy.reset();
    const again = await sendMigration(base);
    expect([again.sent, again.alreadyPending]).toEqual([0, objects]);
    const ops = proxy.operations();
    expect(ops["DynamoDB_20120810.BatchGetItem"]).toMatchObject({ requests: objects / 100 });
    expect(ops["DynamoDB_20120810.BatchGetItem"]?.maxInFlight).toBeGreaterThan(1);
    expect(proxy.count(["TransactWriteItems", "SendMessageBatch"])).toBe(0);
  });

  it("rides out throttling: the SDK retries throttled requests, and every object is recorded and sent once", async () => {
    const throttled = new Set([2, 3, 9]);
    const { proxy, queue, ledger, base } = await cluster({
      adaptive: true,
      answer: (op, n) =>
        (op.endsWith(".TransactWriteItems") || op.endsWith(".SendMessageBatch")) && throttled.has(n)
          ? throttlingError()
          : undefined,
    });
    const r = await sendMigration(base);
    expect([r.sent, r.alreadyPending]).toEqual([objects, 0]);
    // the throttled requests were sent again: 12 transactions and 60 batches, plus three each
    expect(proxy.count(["TransactWriteItems"])).toBe(objects / 50 + 3);
    expect(proxy.count(["SendMessageBatch"])).toBe(objects / 10 + 3);
    expect((await ledger.summary(base.migration.name)).counters.pending.objects).toBe(objects);
    const queued = await drain(queue);
    expect(new Set(queued).size).toBe(objects);
  });

  it("never queues a message for an object whose ledger write failed", async () => {
    // The last of the 12 transactions (50 objects each) is refused, once the other five
    // batches' 50 queue sends have been answered: its batch's other 50 objects are recorded, and
    // none of its 100 gets a message; the send fails and stops.
    let proxy: LatencyProxy | undefined;
    const refused = objects / 50;
    const c = await cluster({
      answer: async (op, n) => {
        if (!op.endsWith(".TransactWriteItems") || n !== refused) return undefined;
        await proxy?.answered("SendMessageBatch", (objects - 100) / 10);
        return validationError();
      },
    });
    proxy = c.proxy;
    const { queue, ledger, base } = c;
    await expect(sendMigration(base)).rejects.toThrow(/injected/);
    const queued = await drain(queue);
    expect(queued).toHaveLength(objects - 100);
    const items = await ledger.items(base.migration.name, queued);
    // every message names an object the ledger has queued
    expect(queued.filter((k) => items.get(k)?.status !== "queued")).toEqual([]);
    expect((await ledger.summary(base.migration.name)).counters.pending.objects).toBe(objects - 50);
  });

  it("leaves every queued message with its ledger item when a queue send fails, and sends the rest next time", async () => {
    const { queue, ledger, base } = await cluster({
      answer: (op, n) => (op.endsWith(".SendMessageBatch") && n === 7 ? validationError() : undefined),
    });
    await expect(sendMigration(base)).rejects.toThrow(/injected/);
    const queued = await drain(queue);
    expect(queued.length).toBeLessThan(objects);
    const items = await ledger.items(base.migration.name, queued);
    expect(queued.filter((k) => items.get(k)?.status !== "queued")).toEqual([]);
    // the queue is empty now: what the ledger holds as pending without a message is sent again
    const again = await sendMigration(base);
    expect(again.sent).toBe(objects);
    expect(await drain(queue)).toHaveLength(objects);
  });
});
