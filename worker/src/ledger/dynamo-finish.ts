import type { Job } from "../job/index.js";
import { counterUpdate, hourUpdate, type TransactItem } from "./dynamo-items.js";
import { failedIndexPk, objectKey, skippedIndexPk } from "./dynamo-keys.js";
import { freshItem, resumeFields } from "./items.js";
import type { JobOutcome, LedgerItem } from "./ledger.js";
import { hourTallyOf, planFinish } from "./transitions.js";

/** Fields whose new value is computed from the stored item inside the update, not sent. */
const carried = new Set(["attempts", "failures", "rev", "retries", "queuedAt"]);

/** Fields the finished item has only when the outcome gives them; otherwise removed. */
const outcomeOnly = ["destinationEtag", "lastError", "verification"] as const;

/**
 * A finish that does not read the item first: what {@link planFinish} would write for an
 * object pending since its send, as one conditional update in one transaction with the
 * counter and hour updates. The condition holds exactly when the stored item is what the
 * counter change assumes (pending, counted as pending with the job's size, and, when the
 * outcome names no verification, none carried to take it from); what else the new item
 * takes from the old one (attempts, failures, retries, queue time, the source ETag and
 * version the outcome does not name) is computed by the update itself. When the condition
 * fails DynamoDB hands back the stored item (ALL_OLD), and the caller plans from it.
 * Undefined when the job's size is unknown (an S3 event without one): read first then.
 */
export function finishWithoutRead(
  table: string,
  job: Job,
  outcome: JobOutcome,
): { TransactItems: TransactItem[] } | undefined {
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
  const items: TransactItem[] = [
    {
      Update: {
        TableName: table,
        Key: objectKey(job),
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
    },
  ];
  if (Object.keys(t.delta).length > 0) items.push(counterUpdate(table, job.migration, t.delta));
  const tally = hourTallyOf(outcome);
  if (tally !== undefined && t.item.endedAt) items.push(hourUpdate(table, job.migration, t.item, tally));
  return { TransactItems: items };
}
