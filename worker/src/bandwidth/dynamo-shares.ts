import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { BandwidthShares } from "./shares.js";

/**
 * The key of a migration's lease record in the ledger table. Its own partition key, apart
 * from `OBJ#` (objects) and `MIG#` (the counters a report queries), and no index key, so no
 * report, count or listing ever reads it.
 */
export const leaseKey = (migration: string) => ({ pk: `BANDWIDTH#${migration}`, sk: "LEASES" });

/** Expired leases removed per renewal at most (a fleet's dead workers go within a few). */
const prunePerRenewal = 20;

/** Options of {@link DynamoBandwidthShares}. */
export interface DynamoBandwidthSharesOptions {
  client: DynamoDBDocumentClient;
  /** The ledger table (the worker may already Get and Update items in it). */
  tableName: string;
  signal?: AbortSignal;
}

const isConditionFailure = (err: unknown) =>
  err instanceof ConditionalCheckFailedException ||
  (err as { name?: string } | null)?.name === "ConditionalCheckFailedException";

/**
 * Leases in one item per migration: a map from worker id to the lease's expiry (ms since the
 * epoch). A renewal is one UpdateItem that sets this worker's entry and returns the map;
 * entries past their expiry are not counted and are removed (conditionally, so a lease
 * renewed meanwhile stays). Needs only GetItem/UpdateItem on the ledger table, which a
 * worker already has.
 */
export class DynamoBandwidthShares implements BandwidthShares {
  constructor(private readonly o: DynamoBandwidthSharesOptions) {}

  async renew(migration: string, workerId: string, expiresAt: number, now: number): Promise<number> {
    const leases = await this.#write(migration, workerId, expiresAt);
    let live = 0;
    const expired: [string, number][] = [];
    for (const [id, exp] of Object.entries(leases)) {
      if (typeof exp === "number" && exp > now) live++;
      else if (typeof exp === "number" && id !== workerId && expired.length < prunePerRenewal)
        expired.push([id, exp]);
    }
    if (expired.length > 0) await this.#prune(migration, expired);
    return Math.max(1, live);
  }

  async count(migration: string, now: number): Promise<number> {
    const out = await this.o.client.send(
      new GetCommand({
        TableName: this.o.tableName,
        Key: leaseKey(migration),
        ProjectionExpression: "leases",
      }),
      { abortSignal: this.o.signal },
    );
    const leases = (out.Item?.leases ?? {}) as Record<string, unknown>;
    return Math.max(1, Object.values(leases).filter((e) => typeof e === "number" && e > now).length);
  }

  async release(migration: string, workerId: string): Promise<void> {
    try {
      await this.o.client.send(
        new UpdateCommand({
          TableName: this.o.tableName,
          Key: leaseKey(migration),
          UpdateExpression: "REMOVE #l.#w",
          ConditionExpression: "attribute_exists(#l)",
          ExpressionAttributeNames: { "#l": "leases", "#w": workerId },
        }),
        { abortSignal: this.o.signal },
      );
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
  }

  /** Sets this worker's entry and returns the whole map as stored after the write. */
  async #write(migration: string, workerId: string, expiresAt: number): Promise<Record<string, unknown>> {
    const send = (input: ConstructorParameters<typeof UpdateCommand>[0]) =>
      this.o.client.send(new UpdateCommand(input), { abortSignal: this.o.signal });
    const base = { TableName: this.o.tableName, Key: leaseKey(migration), ReturnValues: "ALL_NEW" as const };
    // A nested path can only be set in a map that exists; the first lease creates the map.
    for (let round = 0; round < 3; round++) {
      try {
        const out = await send({
          ...base,
          UpdateExpression: "SET #l.#w = :exp",
          ConditionExpression: "attribute_exists(#l)",
          ExpressionAttributeNames: { "#l": "leases", "#w": workerId },
          ExpressionAttributeValues: { ":exp": expiresAt },
        });
        return (out.Attributes?.leases ?? {}) as Record<string, unknown>;
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
      }
      try {
        const out = await send({
          ...base,
          UpdateExpression: "SET #l = :m",
          ConditionExpression: "attribute_not_exists(#l)",
          ExpressionAttributeNames: { "#l": "leases" },
          ExpressionAttributeValues: { ":m": { [workerId]: expiresAt } },
        });
        return (out.Attributes?.leases ?? {}) as Record<string, unknown>;
      } catch (err) {
        // another worker created the map first: set the entry in it
        if (!isConditionFailure(err)) throw err;
      }
    }
    throw new Error(`could not record the bandwidth lease of ${workerId} on migration ${migration}`);
  }

  async #prune(migration: string, expired: readonly [string, number][]): Promise<void> {
    const names: Record<string, string> = { "#l": "leases" };
    const values: Record<string, number> = {};
    const removes: string[] = [];
    const same: string[] = [];
    expired.forEach(([id, exp], i) => {
      names[`#x${i}`] = id;
      values[`:x${i}`] = exp;
      removes.push(`#l.#x${i}`);
      same.push(`#l.#x${i} = :x${i}`);
    });
    try {
      await this.o.client.send(
        new UpdateCommand({
          TableName: this.o.tableName,
          Key: leaseKey(migration),
          UpdateExpression: `REMOVE ${removes.join(", ")}`,
          ConditionExpression: same.join(" AND "),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
        { abortSignal: this.o.signal },
      );
    } catch (err) {
      // one of them renewed (or another worker pruned first): the next renewal tries again
      if (!isConditionFailure(err)) throw err;
    }
  }
}
