import type { Job } from "../job/index.js";

/**
 * The table layout (partition key `pk`, sort key `sk`, GSI `gsi1` on `gsi1pk`/`gsi1sk`, all
 * strings, as the stack creates it):
 *
 * | item                | pk                         | sk                  | gsi1pk            | gsi1sk            |
 * | ------------------- | -------------------------- | ------------------- | ----------------- | ----------------- |
 * | object              | `OBJ#<migration>#<key>`    | `OBJ`               | `FAILED#<m>` / `SKIPPED#<m>` (when failed / skipped) | `<endedAt>#<key>` |
 * | counter shard       | `MIG#<migration>`          | `COUNT#<0..7>`      |                   |                   |
 * | bytes of one hour   | `MIG#<migration>`          | `HOUR#<YYYY-MM-DDTHH>` |                |                   |
 * | migration meta      | `MIG#<migration>`          | `META`              | `MIGRATIONS`      | `<migration>`     |
 * | bandwidth leases    | `BANDWIDTH#<migration>`    | `LEASES`            |                   |                   |
 *
 * Bandwidth leases belong to worker/src/bandwidth (dynamo-shares.ts); nothing here reads them.
 * Objects spread over partitions; a report is one Query on `MIG#<m>` plus one on the GSI.
 * Counters are sharded so that a fleet finishing objects at once does not contend on one item.
 */
export const objectKey = (job: { migration: string; source: Pick<Job["source"], "key"> }) => ({
  pk: `OBJ#${job.migration}#${job.source.key}`,
  sk: "OBJ",
});

export const migrationPk = (migration: string) => `MIG#${migration}`;

export const counterShards = 8;

export const counterKey = (migration: string, shard: number) => ({
  pk: migrationPk(migration),
  sk: `COUNT#${shard}`,
});

export const hourKey = (migration: string, hour: string) => ({
  pk: migrationPk(migration),
  sk: `HOUR#${hour}`,
});

export const metaKey = (migration: string) => ({ pk: migrationPk(migration), sk: "META" });

export const failedIndexPk = (migration: string) => `FAILED#${migration}`;

export const skippedIndexPk = (migration: string) => `SKIPPED#${migration}`;

export const migrationsIndexPk = "MIGRATIONS";

export const indexName = "gsi1";
