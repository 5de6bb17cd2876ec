import type { S3Client } from "@aws-sdk/client-s3";
import { type CopyRecords, compareMigrationChunks, type DiffItem } from "../compare/index.js";
import type { Migration } from "../config/index.js";
import type { Logger } from "../log/index.js";
import { type MigrationPlan, MigrationPlanBuilder } from "./model.js";
import type { PartRules } from "./requests.js";

/** Options of {@link planMigration}. */
export interface PlanMigrationOptions {
  /** Client for the source side (its own credentials). */
  source: S3Client;
  /** Client for the destination side. */
  destination: S3Client;
  /**
   * What each destination object was copied from (the ledger), where one is reachable: in
   * `etag` and `version` modes a copy made in other parts is identical, not changed, and
   * the plan then says what `send` will do. @defaultValue none: ETags and versions decide alone
   */
  copyRecords?: CopyRecords;
  /** Throughput the ETA assumes, in bytes per second. */
  throughputBytesPerSecond: number;
  /** How the engine will cut the copies (the estimate's request counts). @defaultValue the engine's defaults */
  partRules?: PartRules;
  /** Compare: partitions listed at once. @defaultValue the compare's (16) */
  parallelism?: number;
  /** Compare: prefix levels the key space is split by. @defaultValue the compare's (1) */
  depth?: number;
  /** Each chunk of the diff, as it comes (`send` queues its jobs from it). */
  onChunk?: (items: readonly DiffItem[]) => Promise<void>;
  /**
   * Keep a failed compare as the plan's `error` (counts cover what was seen), for a plan
   * shown to people; otherwise the failure is thrown. @defaultValue false
   */
  keepFailure?: boolean;
  logger?: Logger;
  signal?: AbortSignal;
}

/**
 * The plan of one migration from a compare of both sides: the one flow behind `longbow
 * plan`, the Action's plan comment and `send`, so they always agree on what is new,
 * changed and identical.
 */
export async function planMigration(m: Migration, options: PlanMigrationOptions): Promise<MigrationPlan> {
  const builder = new MigrationPlanBuilder(m, options.partRules);
  try {
    const chunks = compareMigrationChunks(m, {
      source: options.source,
      destination: options.destination,
      ...(options.copyRecords ? { copyRecords: options.copyRecords } : {}),
      ...(options.parallelism === undefined ? {} : { parallelism: options.parallelism }),
      ...(options.depth === undefined ? {} : { depth: options.depth }),
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    for await (const chunk of chunks) {
      for (const item of chunk) builder.add(item);
      await options.onChunk?.(chunk);
    }
  } catch (err) {
    if (!options.keepFailure || options.signal?.aborted) throw err;
    const e = err as Error;
    options.logger?.error({ migration: m.name, err: { name: e.name, message: e.message } }, "compare failed");
    builder.fail(`${e.name}: ${e.message}`);
  }
  return builder.build(options.throughputBytesPerSecond);
}
