import type { Job } from "../job/index.js";
import {
  counterUpdate,
  type HourShare,
  hourShareOf,
  hourSumUpdate,
  type TransactItem,
} from "./dynamo-items.js";
import { failedIndexPk, objectKey, skippedIndexPk } from "./dynamo-keys.js";
import { freshItem, resumeFields } from "./items.js";
import type { JobOutcome, LedgerItem } from "./ledger.js";
import { type CounterDelta, hourTallyOf, planFinish, sumDeltas } from "./transitions.js";

/** Fields whose new value is computed from the stored item inside the update, not sent. */
const carried = new Set(["attempts", "failures", "rev", "retries", "queuedAt"]);

/** Fields the finished item has only when the outcome gives them; otherwise removed. */
const outcomeOnly = ["destinationEtag", "lastError", "verification"] as const;

/**
 * A finish without a read (see {@link blindFinish}) in parts: the object's conditional
 * update, and what it adds to the migration's counters and its hour, kept apart so that many finishes
 * can share one transaction with one counter update and one hour update (see
 * dynamo-finish-batch.ts).
 */
export interface BlindFinish {
  migration: string;
  /** The object item's partition key: one transaction may not touch an item twice. */
  pk: string;
  update: TransactItem;
  delta: CounterDelta;
  hour?: HourShare;
}

/**
 * One transaction for finishes of distinct objects: their updates first (the index of a
 * finish's cancellation reason is its index here), then one counter update per migration
 * with the summed delta, then one update per (migration, hour) with the summed tally.
 */
export function transactItemsOf(table: string, finishes: readonly BlindFinish[]): TransactItem[] {
  const deltas = new Map<string, CounterDelta>();
  const hours = new Map<string, { migration: string; share: HourShare }>();
  for (const f of finishes) {
    if (Object.keys(f.delta).length > 0)
      deltas.set(f.migration, sumDeltas([deltas.get(f.migration) ?? {}, f.delta]));
    if (f.hour === undefined) continue;
    const key = `${f.migration}\n${f.hour.hour}`;
    const had = hours.get(key)?.share;
    hours.set(key, {
      migration: f.migration,
      share:
        had === undefined
          ? f.hour
          : {
              hour: had.hour,
              tally: {
                objects: had.tally.objects + f.hour.tally.objects,
                bytes: had.tally.bytes + f.hour.tally.bytes,
              },
              first: [f.hour.first, had.first].sort()[0] as string,
              // ISO times: their order as strings is their order in time
              last: [f.hour.last, had.last].sort()[1] as string,
            },
    });
  }
  return [
    ...finishes.map((f) => f.update),
    ...[...deltas].map(([migration, delta]) => counterUpdate(table, migration, delta)),
    ...[...hours.values()].map((h) => hourSumUpdate(table, h.migration, h.share)),
  ];
}

/**
 * A finish that does not read the item first: what {@link planFinish} would write for an
 * object pending since its send, as one conditional update in one transaction with the
 * counter and hour updates. The condition holds exactly when the stored item is what the
 * counter change assumes (pending, counted as pending with the job's size, and, when the
 * outcome names no verification, none carried to take it from); what else the new item
 * takes from the old one (attempts, failures, retries, queue time, the source ETag and
 * version the outcome does not name) is computed by the update itself. When the condition
 * fails DynamoDB hands back the stored item (ALL_OLD), and the caller plans from it.
 * In parts, for {@link transactItemsOf}. Undefined when the job's size is unknown (an S3 event without one): read first then.
 */
export function blindFinish(table: string, job: Job, outcome: JobOutcome): BlindFinish | undefined {
  const size = job.source.size;
  if (size === undefined) return undefined;
  const pending: LedgerItem = { ...freshItem(job, size), countedAs: "pending" };
  const t = planFinish(pending, job, outcome);
  if (t === undefined) return undefined;
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {
    ":zero": 0,
    ":one": 1,
    ":attempted": outcome.attemptNoted ? 0 : 1,
    ":pending": "pending",
    ":queued": "queued",
    ":running": "running",
    ":oldSize": size,
  };
  const name = (field: string) => {
    names[`#${field}`] = field;
    return `#${field}`;
  };
  const sets: string[] = [];
  for (const [field, value] of Object.entries(t.item)) {
    if (carried.has(field) || value === undefined) continue;
    values[`:${field}`] = value;
    sets.push(`${name(field)} = :${field}`);
  }
  sets.push(
    `${name("attempts")} = if_not_exists(#attempts, :zero) + :attempted`,
    `${name("failures")} = if_not_exists(#failures, :zero)`,
    `${name("rev")} = if_not_exists(#rev, :zero) + :one`,
  );
  const removes: string[] = resumeFields.map(name);
  for (const field of outcomeOnly) if (t.item[field] === undefined) removes.push(name(field));
  if (t.item.status === "failed" || t.item.status === "skipped") {
    values[":gsi1pk"] =
      t.item.status === "failed" ? failedIndexPk(job.migration) : skippedIndexPk(job.migration);
    values[":gsi1sk"] = `${t.item.endedAt ?? ""}#${job.source.key}`;
    sets.push(`${name("gsi1pk")} = :gsi1pk`, `${name("gsi1sk")} = :gsi1sk`);
  } else {
    removes.push(name("gsi1pk"), name("gsi1sk"));
  }
  const adds: string[] = [];
  if (outcome.retries) {
    values[":retries"] = outcome.retries;
    adds.push(`${name("retries")} :retries`);
  }
  const conditions = [
    `${name("countedAs")} = :pending`,
    `${name("status")} IN (:queued, :running)`,
    `${name("size")} = :oldSize`,
  ];
  // planFinish counts a done copy without a proven level under one recorded earlier for
  // the same source; the pending item assumed here has none.
  if (outcome.status === "done" && outcome.verification === undefined) {
    conditions.push(`attribute_not_exists(${name("verification")})`);
  }
  const key = objectKey(job);
  const update: TransactItem = {
    Update: {
      TableName: table,
      Key: key,
      UpdateExpression: [
        `SET ${sets.join(", ")}`,
        `REMOVE ${removes.join(", ")}`,
        ...(adds.length > 0 ? [`ADD ${adds.join(", ")}`] : []),
      ].join(" "),
      ConditionExpression: conditions.join(" AND "),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValuesOnConditionCheckFailure: "ALL_OLD",
    },
  };
  const tally = hourTallyOf(outcome);
  return {
    migration: job.migration,
    pk: key.pk,
    update,
    delta: t.delta,
    ...(tally !== undefined && t.item.endedAt ? { hour: hourShareOf(t.item, tally) } : {}),
  };
}
