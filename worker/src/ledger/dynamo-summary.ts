import { type DynamoDBDocumentClient, paginateQuery, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { toItem } from "./dynamo-items.js";
import { failedIndexPk, indexName, migrationPk, migrationsIndexPk } from "./dynamo-keys.js";
import type { LedgerSummary } from "./ledger.js";
import { counterBuckets, emptyCounters } from "./transitions.js";

/** Counters, hour tallies and last compare (one Query), then the first failures (one GSI Query). */
export async function readSummary(
  client: DynamoDBDocumentClient,
  table: string,
  migration: string,
  options: { failureLimit?: number; signal?: AbortSignal } = {},
): Promise<LedgerSummary> {
  const summary: LedgerSummary = { migration, counters: emptyCounters(), hours: [], failures: [] };
  const pages = paginateQuery(
    { client },
    {
      TableName: table,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": migrationPk(migration) },
      ConsistentRead: true,
    },
  );
  for await (const page of pages) {
    for (const row of page.Items ?? []) {
      const sk = String(row.sk);
      if (sk.startsWith("COUNT#")) {
        for (const b of counterBuckets) {
          summary.counters[b].objects += Number(row[`${b}Objects`] ?? 0);
          summary.counters[b].bytes += Number(row[`${b}Bytes`] ?? 0);
        }
      } else if (sk.startsWith("HOUR#")) {
        summary.hours.push({
          hour: sk.slice(5),
          objects: Number(row.objects ?? 0),
          bytes: Number(row.bytes ?? 0),
          ...(typeof row.firstAt === "string" ? { firstAt: row.firstAt } : {}),
        });
      } else if (sk === "META" && typeof row.lastCompareAt === "string") {
        summary.lastCompareAt = row.lastCompareAt;
      }
    }
  }
  const failed = await client.send(
    new QueryCommand({
      TableName: table,
      IndexName: indexName,
      KeyConditionExpression: "gsi1pk = :pk",
      ExpressionAttributeValues: { ":pk": failedIndexPk(migration) },
      Limit: options.failureLimit ?? 20,
    }),
    { abortSignal: options.signal },
  );
  summary.failures = (failed.Items ?? []).map(toItem);
  return summary;
}

/** Migrations listed in the GSI by a compare or a counter shard, deduplicated and sorted. */
export async function listMigrations(
  client: DynamoDBDocumentClient,
  table: string,
  signal?: AbortSignal,
): Promise<string[]> {
  const names = new Set<string>();
  let start: Record<string, unknown> | undefined;
  do {
    const out = await client.send(
      new QueryCommand({
        TableName: table,
        IndexName: indexName,
        KeyConditionExpression: "gsi1pk = :pk",
        ExpressionAttributeValues: { ":pk": migrationsIndexPk },
        ExclusiveStartKey: start,
      }),
      { abortSignal: signal },
    );
    for (const row of out.Items ?? []) names.add(String(row.gsi1sk));
    start = out.LastEvaluatedKey;
  } while (start);
  return [...names].sort();
}
