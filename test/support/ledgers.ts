import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { createLedgerTable, DynamoLedger } from "../../worker/src/ledger/index.js";
import { uniqueBucket } from "../emulator/clients.js";

/** Names of the DynamoDB operations that write. */
export const dynamoWriteOps = new Set([
  "PutItem",
  "UpdateItem",
  "DeleteItem",
  "BatchWriteItem",
  "TransactWriteItems",
]);

/**
 * Counts requests per operation name on any AWS SDK v3 client (e.g. `{ UpdateItem: 3 }`),
 * at the "initialize" step so retries and failures are included once per call.
 */
export function countRequests(client: {
  middlewareStack: { add: (mw: never, opts: { step: "initialize"; name: string }) => void };
}): Record<string, number> {
  const counts: Record<string, number> = {};
  const middleware = ((next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
    async (args: unknown) => {
      const op = (context.commandName ?? "?").replace(/Command$/, "");
      counts[op] = (counts[op] ?? 0) + 1;
      return next(args);
    }) as never;
  client.middlewareStack.add(middleware, { step: "initialize", name: `countRequests${Math.random()}` });
  return counts;
}

export const writesIn = (counts: Record<string, number>): number =>
  Object.entries(counts).reduce((n, [op, c]) => n + (dynamoWriteOps.has(op) ? c : 0), 0);

/** A fresh ledger table on the emulator and a DynamoLedger over it. */
export async function createTestDynamoLedger(
  client: DynamoDBClient,
): Promise<{ ledger: DynamoLedger; tableName: string; doc: DynamoDBDocumentClient }> {
  const tableName = uniqueBucket("ledger");
  await createLedgerTable(client, tableName);
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return { ledger: new DynamoLedger({ client: doc, tableName }), tableName, doc };
}
