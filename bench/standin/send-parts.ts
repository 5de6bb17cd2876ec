/**
 * Client CPU of send's two writers alone, in one process against the stand-in (not SQS or
 * DynamoDB, see standin.ts): the ledger's enqueue (BatchGetItem + TransactWriteItems) and the
 * queue's send (SendMessageBatch) of N jobs, as `longbow send` builds its clients (the
 * product's DynamoLedger and SqsQueue, the SDK's default handler). No S3, no compare.
 *
 *   npx tsx bench/standin/send-parts.ts [N=20000] [rounds=3] [jobs per batch=100] [objects per transaction=ledger's default]
 *
 * The stand-in answers in this process, so its CPU is in the figures (about 0.09 ms per job
 * in the CLI bench): compare runs of this script with each other, not with the CLI's.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import PQueue from "p-queue";
import { createTestSqsQueue } from "../../test/support/sqs-queue.js";
import type { Job } from "../../worker/src/job/index.js";
import { createLedgerTable, DynamoLedger } from "../../worker/src/ledger/index.js";
import { startStandin } from "./standin.js";

const n = Number(process.argv[2] ?? 20000);
const rounds = Number(process.argv[3] ?? 3);
const batchSize = Number(process.argv[4] ?? 100);
const perTransaction = process.argv[5] === undefined ? {} : { enqueueBatchSize: Number(process.argv[5]) };
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e3;
};

async function main(): Promise<void> {
  const standin = await startStandin();
  const config = {
    endpoint: standin.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "x", secretAccessKey: "y" },
  };
  const sqs = new SQSClient(config);
  const dynamo = new DynamoDBClient(config);
  try {
    for (let r = 0; r < rounds; r++) {
      const name = `parts-${r}`;
      await createLedgerTable(dynamo, name);
      const ledger = new DynamoLedger({
        client: DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } }),
        tableName: name,
        ...perTransaction,
      });
      const { queue } = await createTestSqsQueue(sqs, { name });
      const jobs: Job[] = Array.from({ length: n }, (_, i) => ({
        migration: "bench-send",
        source: {
          bucket: "bench-send-src",
          key: `n${n}/d${i % 16}/obj-${String(i).padStart(6, "0")}`,
          size: 1024,
          etag: "0f343b0931126a20f133d67c2b018a3b",
        },
        destination: {
          bucket: "bench-send-dst",
          key: `send-x/n${n}/d${i % 16}/obj-${String(i).padStart(6, "0")}`,
          storageClass: "STANDARD",
        },
      }));
      const requests = new PQueue({ concurrency: 16 });
      const schedule = <T>(f: () => Promise<T>) => requests.add(f) as Promise<T>;
      const batches: Job[][] = [];
      for (let i = 0; i < n; i += batchSize) batches.push(jobs.slice(i, i + batchSize));
      const now = new Date();
      const c0 = cpu();
      const accepted: Job[][] = [];
      const pool = new PQueue({ concurrency: 16 });
      await Promise.all(
        batches.map((b) =>
          pool.add(async () =>
            accepted.push(await ledger.enqueue(b, now, { requeuePending: true, schedule })),
          ),
        ),
      );
      const c1 = cpu();
      await Promise.all(accepted.map((b) => pool.add(() => queue.send(b, undefined, schedule))));
      const c2 = cpu();
      process.stdout.write(
        `round ${r + 1}: ${n} jobs; ledger enqueue ${((c1 - c0) / n).toFixed(3)} ms/job, queue send ${((c2 - c1) / n).toFixed(3)} ms/job (client and stand-in in this process)\n`,
      );
    }
    process.stdout.write(`${JSON.stringify(standin.operations())}\n`);
  } finally {
    sqs.destroy();
    dynamo.destroy();
    await standin.close();
  }
}
main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
