import { CreateTableCommand, type DynamoDBClient, waitUntilTableExists } from "@aws-sdk/client-dynamodb";

/**
 * Creates the ledger table with the stack's schema (pk/sk, GSI gsi1 on gsi1pk/gsi1sk),
 * on demand, and waits until it is active. For tests and self-managed setups; the cluster's
 * table comes from the CDK stack.
 */
export async function createLedgerTable(
  client: DynamoDBClient,
  tableName: string,
  signal?: AbortSignal,
): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: ["pk", "sk", "gsi1pk", "gsi1sk"].map((AttributeName) => ({
        AttributeName,
        AttributeType: "S",
      })),
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: "gsi1",
          KeySchema: [
            { AttributeName: "gsi1pk", KeyType: "HASH" },
            { AttributeName: "gsi1sk", KeyType: "RANGE" },
          ],
          Projection: { ProjectionType: "ALL" },
        },
      ],
    }),
    { abortSignal: signal },
  );
  await waitUntilTableExists({ client, maxWaitTime: 60, abortSignal: signal }, { TableName: tableName });
}
