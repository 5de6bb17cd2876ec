import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterEach, describe, expect, it } from "vitest";
import { type Standin, startStandin } from "../../../bench/standin/standin.js";
import type { Job } from "../../../worker/src/job/index.js";
import { createLedgerTable, DynamoLedger } from "../../../worker/src/ledger/index.js";
import { createTestSqsQueue } from "../../support/sqs-queue.js";

// The bench's stand-in (not an SQS or a DynamoDB): its wire format as the real SDK clients,
// driven by the product's own ledger and queue, read and write it.
describe("bench stand-in for SQS and DynamoDB", () => {
  let standin: Standin | undefined;
  afterEach(async () => {
    await standin?.close();
  });
  const clients = (endpoint: string) => {
    const config = {
      endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "x", secretAccessKey: "y" },
    };
    return { sqs: new SQSClient(config), dynamo: new DynamoDBClient(config) };
  };
  const job = (i: number): Job => ({
    migration: "m",
    source: { bucket: "src", key: `k/${i}`, size: 1024, etag: `e${i}` },
    destination: { bucket: "dst", key: `k/${i}` },
  });

  it("keeps what send writes: ledger items a re-send finds, messages a receive gets and a delete removes", async () => {
    standin = await startStandin();
    const { sqs, dynamo } = clients(standin.endpoint);
    try {
      await createLedgerTable(dynamo, "ledger");
      const ledger = new DynamoLedger({
        client: DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } }),
        tableName: "ledger",
        // two transactions for the 30 jobs, whatever the default
        enqueueBatchSize: 25,
      });
      const { queue, queueUrl } = await createTestSqsQueue(sqs, { name: "jobs", visibilitySeconds: 60 });
      expect(queueUrl).toBe(`${standin.endpoint}/000000000000/jobs`);
      expect(await queue.deadLetterQueueUrl()).toBe(`${standin.endpoint}/000000000000/jobs-dlq`);

      const jobs = Array.from({ length: 30 }, (_, i) => job(i));
      const now = new Date("2026-12-02T00:00:00Z");
      const accepted = await ledger.enqueue(jobs, now, { requeuePending: false });
      expect(accepted).toHaveLength(30);
      await queue.send(accepted);
      expect(await queue.depth()).toEqual({ visible: 30, inFlight: 0, dead: 0 });
      // the re-send: every item is found pending, nothing is written again
      expect(await ledger.enqueue(jobs, now, { requeuePending: false })).toHaveLength(0);
      expect((await ledger.get(job(3)))?.status).toBe("queued");

      const received = await queue.receive({ max: 10, waitSeconds: 0 });
      expect(received.map((m) => JSON.parse(m.body).source.key)).toEqual(
        jobs.slice(0, 10).map((j) => j.source.key),
      );
      expect(await queue.depth()).toEqual({ visible: 20, inFlight: 10, dead: 0 });
      for (const m of received) await queue.delete(m);
      await queue.close();
      expect(await queue.depth()).toEqual({ visible: 20, inFlight: 0, dead: 0 });
      expect(standin.unknown()).toEqual([]);
      expect(standin.operations()["DynamoDB_20120810.TransactWriteItems"]?.requests).toBe(2);
    } finally {
      sqs.destroy();
      dynamo.destroy();
    }
  });

  it("answers an operation it does not implement with an error, and lists it", async () => {
    standin = await startStandin();
    const { sqs, dynamo } = clients(standin.endpoint);
    try {
      const { ListTablesCommand } = await import("@aws-sdk/client-dynamodb");
      await expect(dynamo.send(new ListTablesCommand({}))).rejects.toThrow(/does not implement/);
      expect(standin.unknown()).toEqual(["DynamoDB_20120810.ListTables"]);
    } finally {
      sqs.destroy();
      dynamo.destroy();
    }
  });
});
