import type { TransactWriteCommandInput } from "@aws-sdk/lib-dynamodb";
import type { Job } from "../job/index.js";
import {
  counterKey,
  counterShards,
  failedIndexPk,
  hourKey,
  migrationsIndexPk,
  objectKey,
  skippedIndexPk,
} from "./dynamo-keys.js";
import type { LedgerItem, Tally } from "./ledger.js";
import { type CounterDelta, firstAt, hourOf } from "./transitions.js";

/** A planned state change: the new item and what it adds to the counters. */
export type Transition = { item: LedgerItem; delta: CounterDelta };

/** One action of a TransactWriteItems request. */
export type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

/** The object item, written only if it is still the revision the plan was made from. */
export function putFor(table: string, job: Job, old: LedgerItem | undefined, t: Transition): TransactItem {
  const item: Record<string, unknown> = { ...objectKey(job), ...t.item };
  if (t.item.status === "failed" || t.item.status === "skipped") {
    item.gsi1pk = t.item.status === "failed" ? failedIndexPk(job.migration) : skippedIndexPk(job.migration);
    item.gsi1sk = `${t.item.endedAt ?? ""}#${job.source.key}`;
  }
  return {
    Put: {
      TableName: table,
      Item: item,
      ConditionExpression: old ? "#rev = :rev" : "attribute_not_exists(pk)",
      ExpressionAttributeNames: old ? { "#rev": "rev" } : undefined,
      ExpressionAttributeValues: old ? { ":rev": old.rev } : undefined,
      // the item as it is when another write came first, so the transition is planned again without a read
      ReturnValuesOnConditionCheckFailure: "ALL_OLD",
    },
  };
}

/** Adds a delta to a random counter shard. */
export function counterUpdate(table: string, migration: string, delta: CounterDelta): TransactItem {
  const adds: string[] = [];
  const values: Record<string, unknown> = { ":g": migrationsIndexPk, ":m": migration };
  for (const [bucket, tally] of Object.entries(delta)) {
    adds.push(`${bucket}Objects :${bucket}O`, `${bucket}Bytes :${bucket}B`);
    values[`:${bucket}O`] = tally.objects;
    values[`:${bucket}B`] = tally.bytes;
  }
  return {
    Update: {
      TableName: table,
      Key: counterKey(migration, Math.floor(Math.random() * counterShards)),
      // The shard also lists the migration in the GSI, so migrations() finds it without a compare.
      UpdateExpression: `ADD ${adds.join(", ")} SET gsi1pk = :g, gsi1sk = :m`,
      ExpressionAttributeValues: values,
    },
  };
}

/** Adds a finished copy to its hour's tally, keeping the hour's first copy start. */
export function hourUpdate(table: string, migration: string, item: LedgerItem, tally: Tally): TransactItem {
  return hourSumUpdate(table, migration, hourShareOf(item, tally));
}

/** What one or more finished copies add to one hour's tally. */
export interface HourShare {
  hour: string;
  tally: Tally;
  /** The earliest copy start among them (within the hour). */
  first: string;
  /** The latest copy end among them. */
  last: string;
}

/** A finished item's share of its hour's tally. */
export function hourShareOf(item: LedgerItem, tally: Tally): HourShare {
  return {
    hour: hourOf(item.endedAt ?? ""),
    tally,
    first: firstAt(item),
    last: item.endedAt ?? firstAt(item),
  };
}

/** Adds one or more copies' share (summed by the caller) to the hour's tally in one update. */
export function hourSumUpdate(table: string, migration: string, share: HourShare): TransactItem {
  return {
    Update: {
      TableName: table,
      Key: hourKey(migration, share.hour),
      // lastAt: the latest writer's end; workers finishing at once differ by milliseconds
      UpdateExpression:
        "ADD objects :objects, bytes :bytes SET firstAt = if_not_exists(firstAt, :first), lastAt = :last",
      ExpressionAttributeValues: {
        ":objects": share.tally.objects,
        ":bytes": share.tally.bytes,
        ":first": share.first,
        ":last": share.last,
      },
    },
  };
}

/** A stored row as a {@link LedgerItem}: table keys dropped, missing counters defaulted. */
export function toItem(row: Record<string, unknown>): LedgerItem {
  const { pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _s, ...rest } = row;
  const item = rest as unknown as LedgerItem;
  item.size = Number(item.size ?? 0);
  item.attempts = Number(item.attempts ?? 0);
  if (item.failures !== undefined) item.failures = Number(item.failures);
  if (item.retries !== undefined) item.retries = Number(item.retries);
  item.rev = Number(item.rev ?? 0);
  item.status ??= "queued";
  return item;
}
