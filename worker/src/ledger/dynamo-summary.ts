import { type DynamoDBDocumentClient, paginateQuery, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { toItem } from "./dynamo-items.js";
import { failedIndexPk, indexName, migrationPk, migrationsIndexPk, skippedIndexPk } from "./dynamo-keys.js";
import type { CounterKey, LedgerSummary, Tally } from "./ledger.js";
import { counterKeys, countersFrom } from "./transitions.js";

/** Counters, hour tallies and last compare (one Query), then the first failures and skips (two GSI Queries). */
export async function readSummary(
  client: DynamoDBDocumentClient,
  table: string,
  migration: string,
  options: { failureLimit?: number; signal?: AbortSignal } = {},
): Promise<LedgerSummary> {
  const sums = new Map<CounterKey, Tally>(counterKeys.map((k) => [k, { objects: 0, bytes: 0 }]));
  const hours: LedgerSummary["hours"] = [];
  let lastCompareAt: string | undefined;
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
        for (const [key, t] of sums) {
          t.objects += Number(row[`${key}Objects`] ?? 0);
          t.bytes += Number(row[`${key}Bytes`] ?? 0);
        }
      } else if (sk.startsWith("HOUR#")) {
        hours.push({
          hour: sk.slice(5),
          objects: Number(row.objects ?? 0),
          bytes: Number(row.bytes ?? 0),
          ...(typeof row.firstAt === "string" ? { firstAt: row.firstAt } : {}),
          ...(typeof row.lastAt === "string" ? { lastAt: row.lastAt } : {}),
        });
      } else if (sk === "META" && typeof row.lastCompareAt === "string") {
        lastCompareAt = row.lastCompareAt;
      }
    }
  }
  const inIndex = async (pk: string) =>
    (
      await client.send(
        new QueryCommand({
          TableName: table,
          IndexName: indexName,
          KeyConditionExpression: "gsi1pk = :pk",
          ExpressionAttributeValues: { ":pk": pk },
          Limit: options.failureLimit ?? 20,
        }),
        { abortSignal: options.signal },
      )
    ).Items?.map(toItem) ?? [];
  const [failures, skips] = await Promise.all([
    inIndex(failedIndexPk(migration)),
    inIndex(skippedIndexPk(migration)),
  ]);
  const summary: LedgerSummary = {
    migration,
    ...countersFrom((key) => sums.get(key) ?? { objects: 0, bytes: 0 }),
    hours,
    failures,
    skips,
  };
  if (lastCompareAt !== undefined) summary.lastCompareAt = lastCompareAt;
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
