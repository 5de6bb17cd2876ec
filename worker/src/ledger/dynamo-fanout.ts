import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { Job } from "../job/index.js";
import { indexName, objectKey } from "./dynamo-keys.js";
import { LedgerError } from "./errors.js";
import { type FanoutChange, fanoutsListed, progressOf } from "./fanout-state.js";
import type { FanoutProgress, FanoutState } from "./ledger.js";

/** The fan-out record's key: beside the object's item, in its partition. */
const fanoutKey = (job: Pick<Job, "migration" | "source">) => ({ pk: objectKey(job).pk, sk: "FANOUT" });

/** GSI partition listing a migration's fan-outs that have not ended (for the report). */
export const fanoutIndexPk = (migration: string) => `FANOUT#${migration}`;

type Stored = { state: FanoutState; rev: number };

function fromRow(row: Record<string, unknown>): Stored {
  const { pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _s, rev, ...state } = row;
  const s = state as unknown as FanoutState;
  s.rangesDone = (s.rangesDone ?? []).map(Number);
  return { state: s, rev: Number(rev ?? 0) };
}

/**
 * Fan-out records on DynamoDB: each change is read, planned (see fanout-state.ts) and
 * written conditional on the record's revision; a writer that lost the race plans again
 * from the record the winner wrote.
 */
export class DynamoFanouts {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly maxConflictRetries: number,
  ) {}

  async read(job: Pick<Job, "migration" | "source">, signal?: AbortSignal): Promise<Stored | undefined> {
    const out = await this.client.send(
      new GetCommand({ TableName: this.table, Key: fanoutKey(job), ConsistentRead: true }),
      { abortSignal: signal },
    );
    return out.Item ? fromRow(out.Item) : undefined;
  }

  /** Applies a planned change: `plan` returns the record to write (or none) and the answer. */
  async change<T>(job: Job, plan: FanoutChange<T>, signal?: AbortSignal): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const old = await this.read(job, signal);
      const { write, out } = plan(old?.state);
      if (write === undefined) return out;
      const item: Record<string, unknown> = { ...fanoutKey(job), ...write, rev: (old?.rev ?? 0) + 1 };
      if (write.ended === undefined) {
        item.gsi1pk = fanoutIndexPk(job.migration);
        item.gsi1sk = job.source.key;
      }
      try {
        await this.client.send(
          new PutCommand({
            TableName: this.table,
            Item: item,
            ConditionExpression: old ? "#rev = :rev" : "attribute_not_exists(pk)",
            ...(old
              ? {
                  ExpressionAttributeNames: { "#rev": "rev" },
                  ExpressionAttributeValues: { ":rev": old.rev },
                }
              : {}),
          }),
          { abortSignal: signal },
        );
        return out;
      } catch (err) {
        if (!(err instanceof ConditionalCheckFailedException)) throw err;
        if (attempt >= this.maxConflictRetries) {
          throw new LedgerError(
            "TransitionFailed",
            `fan-out record of ${job.source.key} kept changing under ${attempt} writes; try again`,
            { cause: err, context: { migration: job.migration, key: job.source.key }, retryable: true },
          );
        }
      }
    }
  }

  /** Fan-outs of a migration not yet ended, by source key (one GSI Query). */
  async inProgress(migration: string, signal?: AbortSignal): Promise<FanoutProgress[]> {
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: indexName,
        KeyConditionExpression: "gsi1pk = :pk",
        ExpressionAttributeValues: { ":pk": fanoutIndexPk(migration) },
        Limit: fanoutsListed,
      }),
      { abortSignal: signal },
    );
    return (out.Items ?? []).map((row) => progressOf(String(row.gsi1sk), fromRow(row).state));
  }
}
