import {
  type AttributeValue,
  ConditionalCheckFailedException,
  TransactionCanceledException,
} from "@aws-sdk/client-dynamodb";
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { Job } from "../job/index.js";
import { immediately, type Schedule } from "../schedule.js";
import { sleep } from "../sleep.js";
import type { ResumeStore } from "../transfer/index.js";
import { DynamoFanouts } from "./dynamo-fanout.js";
import { type BlindFinish, blindFinish, transactItemsOf } from "./dynamo-finish.js";
import { FinishBatcher } from "./dynamo-finish-batch.js";
import { counterUpdate, hourUpdate, putFor, type Transition, toItem } from "./dynamo-items.js";
import { metaKey, migrationsIndexPk, objectKey } from "./dynamo-keys.js";
import { listMigrations, readSummary } from "./dynamo-summary.js";
import { LedgerError } from "./errors.js";
import { fanoutChanges } from "./fanout-state.js";
import { copiedFromItems, itemKeysOf, resumeFields, resumePointOf } from "./items.js";
import type {
  CopiedFrom,
  EnqueueOptions,
  FanoutStart,
  FanoutState,
  JobOutcome,
  JobRun,
  Ledger,
  LedgerItem,
  LedgerSummary,
} from "./ledger.js";
import { clip, hourTallyOf, planEnqueue, planFinish, sumDeltas } from "./transitions.js";

/** Fields an item gets when an error note creates it (an S3-event job never queued). */
const ifAbsent = [
  "migration",
  "sourceBucket",
  "sourceKey",
  "destinationBucket",
  "destinationKey",
  "size",
  "status",
];

function baseFields(job: Job): Record<string, unknown> {
  return {
    ":migration": job.migration,
    ":sourceBucket": job.source.bucket,
    ":sourceKey": job.source.key,
    ":destinationBucket": job.destination.bucket,
    ":destinationKey": job.destination.key,
    ":size": job.source.size ?? 0,
    ":status": "queued",
  };
}

/** The item a cancelled transaction handed back (ALL_OLD), as a LedgerItem; undefined when there was none. */
function storedItem(raw: Record<string, AttributeValue> | undefined): LedgerItem | undefined {
  return raw === undefined ? undefined : toItem(unmarshall(raw));
}

function transitionFailed(job: Job, err: unknown): LedgerError {
  return new LedgerError(
    "TransitionFailed",
    `ledger update of ${job.source.key} failed: ${(err as Error).message}`,
    {
      cause: err,
      context: { migration: job.migration, key: job.source.key },
      retryable: true,
    },
  );
}

export interface DynamoLedgerOptions {
  /** A document client (`DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } })`). */
  client: DynamoDBDocumentClient;
  tableName: string;
  /** Tries of a transition that lost a race before giving up. @defaultValue 8 */
  maxConflictRetries?: number;
  /**
   * Objects {@link DynamoLedger.enqueue} records per TransactWriteItems request (plus one
   * counter update; DynamoDB allows 100 actions). Two transactions for send's batch of 100:
   * the client's CPU goes mostly to per-request SDK work, and four of 25 cost 0.04 requests
   * per object against 0.02 (bench/RESULTS.md, "Send against a stand-in"). @defaultValue 50
   */
  enqueueBatchSize?: number;
  /**
   * Shared finish transactions in flight at once (see dynamo-finish-batch.ts): finishes
   * arriving while this many are in flight wait and go together in the next. @defaultValue 2
   */
  finishesInFlight?: number;
}

const batchGetLimit = 100;

/**
 * The cluster's ledger on DynamoDB. Each state change is one TransactWriteItems request
 * that writes the object item conditional on its revision and adds to one counter shard
 * (and, for a finished copy, to the hour's bytes), so items and counters never disagree.
 */
export class DynamoLedger implements Ledger {
  private readonly client: DynamoDBDocumentClient;
  private readonly table: string;
  private readonly maxConflictRetries: number;
  private readonly enqueueBatchSize: number;
  private readonly fanouts: DynamoFanouts;
  private readonly finishes: FinishBatcher;

  constructor(options: DynamoLedgerOptions) {
    this.client = options.client;
    this.table = options.tableName;
    this.maxConflictRetries = options.maxConflictRetries ?? 8;
    this.enqueueBatchSize = options.enqueueBatchSize ?? 50;
    const finishesInFlight = options.finishesInFlight ?? 2;
    if (!Number.isInteger(finishesInFlight) || finishesInFlight < 1) {
      throw new LedgerError(
        "InvalidOption",
        `finishesInFlight must be a whole number >= 1, got ${finishesInFlight}`,
      );
    }
    for (const field of ["maxConflictRetries", "enqueueBatchSize"] as const) {
      if (!Number.isInteger(this[field]) || this[field] < 1) {
        throw new LedgerError("InvalidOption", `${field} must be a whole number >= 1, got ${this[field]}`);
      }
    }
    this.fanouts = new DynamoFanouts(this.client, this.table, this.maxConflictRetries);
    this.finishes = new FinishBatcher(this.client, this.table, finishesInFlight, this.maxConflictRetries);
  }

  async get(job: Pick<Job, "migration" | "source">, signal?: AbortSignal): Promise<LedgerItem | undefined> {
    const out = await this.client.send(
      new GetCommand({ TableName: this.table, Key: objectKey(job), ConsistentRead: true }),
      {
        abortSignal: signal,
      },
    );
    return out.Item ? toItem(out.Item) : undefined;
  }

  /** Consistent reads of many items, a BatchGetItem per hundred keys, the batches at once as far as `schedule` lets them. */
  private async getMany(
    jobs: readonly { migration: string; source: { key: string } }[],
    signal?: AbortSignal,
    schedule: Schedule = immediately,
  ): Promise<Map<string, Record<string, unknown>>> {
    const found = new Map<string, Record<string, unknown>>();
    // Duplicate keys in one BatchGetItem are an error.
    const keys = [...new Map(jobs.map(objectKey).map((k) => [k.pk, k])).values()];
    const batches: Record<string, unknown>[][] = [];
    for (let i = 0; i < keys.length; i += batchGetLimit) batches.push(keys.slice(i, i + batchGetLimit));
    await Promise.all(
      batches.map(async (batch) => {
        let left: Record<string, unknown>[] | undefined = batch;
        for (let round = 0; left && left.length > 0; round++) {
          // what DynamoDB left unprocessed (its throughput was exceeded) is asked again after a backoff
          if (round > 0) await sleep(Math.random() * 50 * 2 ** Math.min(round, 6), signal);
          const ask: Record<string, unknown>[] = left;
          const out: BatchGetCommandOutput = await schedule(() =>
            this.client.send(
              new BatchGetCommand({ RequestItems: { [this.table]: { Keys: ask, ConsistentRead: true } } }),
              { abortSignal: signal },
            ),
          );
          for (const item of out.Responses?.[this.table] ?? []) found.set(item.pk as string, item);
          left = out.UnprocessedKeys?.[this.table]?.Keys;
        }
      }),
    );
    return found;
  }

  /**
   * Reads the items (BatchGetItem), then writes them in transactions of `enqueueBatchSize`
   * with their counter change; the reads and the transactions each go at once as far as
   * `schedule` lets them. Returns only the jobs whose item was written: a job is never
   * handed back for the queue before its ledger item exists.
   */
  async enqueue(jobs: readonly Job[], now: Date, options: EnqueueOptions = {}): Promise<Job[]> {
    const { signal } = options;
    const schedule = options.schedule ?? immediately;
    const existing = await this.getMany(jobs, signal, schedule);
    const seen = new Set<string>();
    const planned: { job: Job; old: LedgerItem | undefined; t: Transition }[] = [];
    for (const job of jobs) {
      const { pk } = objectKey(job);
      if (seen.has(pk)) continue;
      seen.add(pk);
      const raw = existing.get(pk);
      const old = raw ? toItem(raw) : undefined;
      const t = planEnqueue(old, job, now, options);
      if (t) planned.push({ job, old, t });
    }
    const chunks: (typeof planned)[] = [];
    for (let i = 0; i < planned.length; i += this.enqueueBatchSize) {
      chunks.push(planned.slice(i, i + this.enqueueBatchSize));
    }
    const settled = await Promise.allSettled(
      chunks.map((chunk) => this.enqueueChunk(chunk, now, options, schedule)),
    );
    const failed = settled.find((r) => r.status === "rejected");
    if (failed) throw failed.reason;
    // in the jobs' order, whatever order the transactions finished in
    const accepted = new Set(settled.flatMap((r) => (r.status === "fulfilled" ? r.value : [])));
    return planned.map((p) => p.job).filter((j) => accepted.has(j));
  }

  /** One transaction for the chunk: its items and one counter update with their sum. */
  private async enqueueChunk(
    chunk: readonly { job: Job; old: LedgerItem | undefined; t: Transition }[],
    now: Date,
    options: EnqueueOptions,
    schedule: Schedule,
  ): Promise<Job[]> {
    const { signal } = options;
    const delta = sumDeltas(chunk.map((c) => c.t.delta));
    const first = chunk[0] as (typeof chunk)[number];
    try {
      await schedule(() =>
        this.client.send(
          new TransactWriteCommand({
            TransactItems: [
              ...chunk.map((c) => putFor(this.table, c.job, c.old, c.t)),
              ...(Object.keys(delta).length > 0
                ? [counterUpdate(this.table, first.job.migration, delta)]
                : []),
            ],
          }),
          { abortSignal: signal },
        ),
      );
      return chunk.map((c) => c.job);
    } catch (err) {
      if (!(err instanceof TransactionCanceledException)) throw err;
      // Someone else wrote some of them meanwhile: item by item, each planned again from
      // the item DynamoDB handed back (the others from the item as read).
      const accepted: Job[] = [];
      for (const [i, c] of chunk.entries()) {
        const reason = err.CancellationReasons?.[i];
        const old = reason?.Code === "ConditionalCheckFailed" ? storedItem(reason.Item) : c.old;
        const written = await schedule(() =>
          this.transition(c.job, old, (o) => planEnqueue(o, c.job, now, options), signal),
        );
        if (written) accepted.push(c.job);
      }
      return accepted;
    }
  }

  /**
   * Records an outcome without reading the item first, for an object pending since its send:
   * the read is folded into a conditional write (see `finishWithoutRead`), which shares one
   * transaction with the other finishes arriving at the same time (see FinishBatcher). Only
   * when the item is not what that write assumes (a duplicate delivery, an S3-event job, an
   * object queued again meanwhile) is the transition planned from the item the failed
   * write handed back.
   */
  async finish(job: Job, outcome: JobOutcome, signal?: AbortSignal): Promise<boolean> {
    const plan = (o: LedgerItem | undefined) => planFinish(o, job, outcome);
    const blind = blindFinish(this.table, job, outcome);
    if (blind === undefined) return this.transition(job, await this.get(job, signal), plan, signal, outcome);
    const verdict = await this.finishes.submit(blind, signal);
    switch (verdict.kind) {
      case "written":
        return true;
      case "conflict":
        return this.transition(job, verdict.stored, plan, signal, outcome);
      case "retry":
        if (!verdict.alone) return this.finishAlone(job, outcome, blind, signal);
        if (!(verdict.error instanceof TransactionCanceledException))
          throw transitionFailed(job, verdict.error);
        // throttled, or a conflicting transaction: planned from a fresh read, as one object
        return this.transition(job, await this.get(job, signal), plan, signal, outcome);
    }
  }

  /** The finish as a transaction of its own, after a shared one did not write it. */
  private async finishAlone(
    job: Job,
    outcome: JobOutcome,
    blind: BlindFinish,
    signal?: AbortSignal,
  ): Promise<boolean> {
    let old: LedgerItem | undefined;
    try {
      await this.client.send(
        new TransactWriteCommand({ TransactItems: transactItemsOf(this.table, [blind]) }),
        {
          abortSignal: signal,
        },
      );
      return true;
    } catch (err) {
      if (!(err instanceof TransactionCanceledException)) throw transitionFailed(job, err);
      const reason = err.CancellationReasons?.[0];
      // a cancellation for another reason (throttled, a conflicting transaction) is planned from a fresh read
      old = reason?.Code === "ConditionalCheckFailed" ? storedItem(reason.Item) : await this.get(job, signal);
    }
    return this.transition(job, old, (o) => planFinish(o, job, outcome), signal, outcome);
  }

  /**
   * Writes one planned transition; when the item changed since it was read (another worker,
   * a concurrent send), reads it again and re-plans. False when the plan says "nothing to do".
   */
  private async transition(
    job: Job,
    first: LedgerItem | undefined,
    plan: (old: LedgerItem | undefined) => Transition | undefined,
    signal?: AbortSignal,
    hour?: JobOutcome,
  ): Promise<boolean> {
    let old = first;
    for (let attempt = 1; ; attempt++) {
      const t = plan(old);
      if (!t) return false;
      try {
        await this.client.send(new TransactWriteCommand(this.transactionFor(job, old, t, hour)), {
          abortSignal: signal,
        });
        return true;
      } catch (err) {
        if (!(err instanceof TransactionCanceledException) || attempt >= this.maxConflictRetries) {
          throw transitionFailed(job, err);
        }
        const reason = err.CancellationReasons?.[0];
        if (reason?.Code === "ConditionalCheckFailed") old = storedItem(reason.Item);
        else await sleep(Math.random() * 20 * 2 ** Math.min(attempt, 6), signal);
      }
    }
  }

  private transactionFor(
    job: Job,
    old: LedgerItem | undefined,
    t: Transition,
    hour: JobOutcome | undefined,
  ): TransactWriteCommandInput {
    const items = [putFor(this.table, job, old, t)];
    if (Object.keys(t.delta).length > 0) items.push(counterUpdate(this.table, job.migration, t.delta));
    const tally = hour === undefined ? undefined : hourTallyOf(hour);
    if (tally !== undefined && t.item.endedAt)
      items.push(hourUpdate(this.table, job.migration, t.item, tally));
    return { TransactItems: items };
  }

  /**
   * Sets fields on the object item, creating it from the job when absent (S3 event jobs).
   * `whilePending`: only if the item is absent, queued or running (in one conditional
   * write); false when it was not, and nothing was written.
   */
  private async patch(
    job: Job,
    fields: Record<string, unknown>,
    remove: string[],
    signal?: AbortSignal,
    whilePending = false,
  ): Promise<boolean> {
    const base: Record<string, unknown> = {
      ...itemKeysOf(job),
      size: job.source.size ?? 0,
      status: "queued",
      attempts: 0,
    };
    const names: Record<string, string> = { "#rev": "rev" };
    const values: Record<string, unknown> = { ":zero": 0, ":one": 1 };
    const sets = ["#rev = if_not_exists(#rev, :zero) + :one"];
    for (const [f, v] of Object.entries(base)) {
      if (f in fields) continue;
      names[`#${f}`] = f;
      values[`:${f}`] = v;
      sets.push(`#${f} = if_not_exists(#${f}, :${f})`);
    }
    for (const [f, v] of Object.entries(fields)) {
      names[`#${f}`] = f;
      values[`:${f}`] = v;
      sets.push(`#${f} = :${f}`);
    }
    for (const f of remove) names[`#${f}`] = f;
    const removal = remove.length > 0 ? ` REMOVE ${remove.map((f) => `#${f}`).join(", ")}` : "";
    if (whilePending) {
      names["#status"] = "status";
      values[":queued"] = "queued";
      values[":running"] = "running";
    }
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: objectKey(job),
          UpdateExpression: `SET ${sets.join(", ")}${removal}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ...(whilePending
            ? { ConditionExpression: "attribute_not_exists(pk) OR #status IN (:queued, :running)" }
            : {}),
        }),
        { abortSignal: signal },
      );
      return true;
    } catch (err) {
      if (whilePending && err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  async noteError(
    job: Job,
    run: JobRun,
    reason: string,
    options: { retries?: number; signal?: AbortSignal } = {},
  ): Promise<number> {
    // One atomic update counts the failure (ADD), however many workers fail at once.
    const out = await this.client.send(
      new UpdateCommand({
        TableName: this.table,
        Key: objectKey(job),
        UpdateExpression: `SET #lastError = :e, #workerId = :w, #startedAt = :s, ${ifAbsent.map((f) => `#${f} = if_not_exists(#${f}, :${f})`).join(", ")} ADD #failures :one, #attempts :one, #rev :one${options.retries ? ", #retries :r" : ""}`,
        ExpressionAttributeNames: Object.fromEntries(
          [
            "lastError",
            "workerId",
            "startedAt",
            "failures",
            "attempts",
            "rev",
            ...ifAbsent,
            ...(options.retries ? ["retries"] : []),
          ].map((f) => [`#${f}`, f]),
        ),
        ExpressionAttributeValues: {
          ":e": clip(reason),
          ":w": run.workerId,
          ":s": run.startedAt,
          ":one": 1,
          ...(options.retries ? { ":r": options.retries } : {}),
          ...baseFields(job),
        },
        ReturnValues: "UPDATED_NEW",
      }),
      { abortSignal: options.signal },
    );
    if (options.retries) {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            counterUpdate(this.table, job.migration, { retries: { objects: options.retries, bytes: 0 } }),
          ],
        }),
        { abortSignal: options.signal },
      );
    }
    return Number(out.Attributes?.failures ?? 1);
  }

  resumeStore(run: JobRun): ResumeStore {
    return {
      load: async (job) => {
        const item = await this.get(job);
        return item ? resumePointOf(item) : undefined;
      },
      save: async (job, point) => {
        const fields: Record<string, unknown> = {
          uploadId: point.uploadId,
          partSize: point.partSize,
          workerId: run.workerId,
          startedAt: run.startedAt,
        };
        const remove: string[] = [];
        for (const [f, v] of [
          ["partLayout", point.layout],
          ["layoutGuessed", point.layoutGuessed],
          ["resumeEtag", point.sourceEtag],
          ["resumeVersionId", point.sourceVersionId],
          ["completingEtag", point.completing],
        ] as const) {
          if (v === undefined) remove.push(f);
          else fields[f] = v;
        }
        // Marks the item running only while it is pending, in the same write: a read
        // followed by an unconditional write could mark an object another worker had just
        // finished as running again, and its counters would no longer match its state.
        if (await this.patch(job, { ...fields, status: "running" }, remove, undefined, true)) return;
        await this.patch(job, fields, remove);
      },
      clear: async (job) => {
        await this.patch(job, {}, [...resumeFields]);
      },
    };
  }

  async items(
    migration: string,
    sourceKeys: readonly string[],
    signal?: AbortSignal,
  ): Promise<Map<string, LedgerItem>> {
    const found = await this.getMany(
      sourceKeys.map((key) => ({ migration, source: { key } })),
      signal,
    );
    const out = new Map<string, LedgerItem>();
    for (const raw of found.values()) {
      const item = toItem(raw);
      out.set(item.sourceKey, item);
    }
    return out;
  }

  async copiedFrom(
    migration: string,
    sourceKeys: string[],
    signal?: AbortSignal,
  ): Promise<Map<string, CopiedFrom>> {
    return copiedFromItems(await this.items(migration, sourceKeys, signal));
  }

  async recordCompare(migration: string, at: Date, signal?: AbortSignal): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.table,
        Key: metaKey(migration),
        UpdateExpression: "SET lastCompareAt = :at, gsi1pk = :g, gsi1sk = :m",
        ExpressionAttributeValues: { ":at": at.toISOString(), ":g": migrationsIndexPk, ":m": migration },
      }),
      { abortSignal: signal },
    );
  }

  async summary(
    migration: string,
    options: { failureLimit?: number; signal?: AbortSignal } = {},
  ): Promise<LedgerSummary> {
    const [summary, fanouts] = await Promise.all([
      readSummary(this.client, this.table, migration, options),
      this.fanouts.inProgress(migration, options.signal),
    ]);
    if (fanouts.length > 0) summary.fanouts = fanouts;
    return summary;
  }

  openFanout(job: Job, fanout: FanoutStart, signal?: AbortSignal): Promise<FanoutState> {
    return this.fanouts.change(job, fanoutChanges.open(fanout), signal);
  }

  rangeDone(
    job: Job,
    uploadId: string,
    range: { index: number; parts: number },
    signal?: AbortSignal,
  ): Promise<FanoutState | undefined> {
    return this.fanouts.change(job, fanoutChanges.rangeDone(uploadId, range), signal);
  }

  claimCompletion(job: Job, uploadId: string, index: number, signal?: AbortSignal): Promise<boolean> {
    return this.fanouts.change(job, fanoutChanges.claim(uploadId, index), signal);
  }

  async endFanout(
    job: Job,
    uploadId: string,
    ended: "completed" | "aborted",
    reason?: string,
    signal?: AbortSignal,
  ): Promise<void> {
    await this.fanouts.change(job, fanoutChanges.end(uploadId, ended, reason), signal);
  }

  async fanout(
    job: Pick<Job, "migration" | "source">,
    signal?: AbortSignal,
  ): Promise<FanoutState | undefined> {
    return (await this.fanouts.read(job, signal))?.state;
  }

  migrations(signal?: AbortSignal): Promise<string[]> {
    return listMigrations(this.client, this.table, signal);
  }

  async close(): Promise<void> {}
}
