import { type AttributeValue, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { AbortError } from "../errors.js";
import { sleep } from "../sleep.js";
import { type BlindFinish, transactItemsOf } from "./dynamo-finish.js";
import { toItem } from "./dynamo-items.js";
import type { LedgerItem } from "./ledger.js";

/** DynamoDB's limit on the actions of one TransactWriteItems request. */
export const transactionLimit = 100;

/** What became of one finish sent in a shared transaction. */
export type BatchVerdict =
  | { kind: "written" }
  /** Its condition failed: plan from the item as stored (ALL_OLD; undefined when there is none). */
  | { kind: "conflict"; stored: LedgerItem | undefined }
  /**
   * Not written (throttled, a conflicting transaction, or the shared request failed):
   * `alone` says whether the last try was already a transaction of this finish alone.
   */
  | { kind: "retry"; alone: boolean; error?: unknown };

interface Entry {
  finish: BlindFinish;
  resolve: (v: BatchVerdict) => void;
  reject: (err: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  /** Shared transactions this finish was cancelled in by throttling or a conflict elsewhere. */
  rounds: number;
}

/** Cancellation codes that say nothing about the item itself: try again later. */
const transient = new Set(["ThrottlingError", "TransactionConflict", "ProvisionedThroughputExceeded"]);

/**
 * Coalesces the finishes of many objects into shared TransactWriteItems requests: one
 * conditional update per object, one counter update per migration with the summed delta
 * and one hour update per (migration, hour) with the summed tally, at most
 * {@link transactionLimit} actions. No timer: a finish goes at once when fewer than
 * `maxInFlight` transactions are in flight, and the finishes arriving meanwhile form the
 * next one, so a worker finishing one object at a time pays nothing and one finishing
 * hundreds a second sends a transaction per `maxInFlight`-th of a round trip.
 *
 * Each caller learns its own object's verdict. A cancelled transaction wrote nothing, so
 * sending its finishes again cannot count anything twice: those whose own condition failed
 * are handed back with the stored item; those cancelled only because of another action
 * (reason `None`) go in the next transaction, after a backoff when throttling or a
 * conflict cancelled it; one throttled itself is handed back to be tried on its own. Any
 * other error hands every finish of a shared transaction back to be tried on its own, so
 * one bad item cannot fail the others. The request carries no caller's abort signal: one
 * caller giving up does not abort the others' writes (its own promise rejects at once).
 */
export class FinishBatcher {
  readonly #client: DynamoDBDocumentClient;
  readonly #maxInFlight: number;
  readonly #maxRounds: number;
  readonly #table: string;
  #queue: Entry[] = [];
  #inFlight = 0;

  constructor(client: DynamoDBDocumentClient, table: string, maxInFlight: number, maxRounds: number) {
    this.#client = client;
    this.#table = table;
    this.#maxInFlight = maxInFlight;
    this.#maxRounds = maxRounds;
  }

  submit(finish: BlindFinish, signal?: AbortSignal): Promise<BatchVerdict> {
    if (signal?.aborted) return Promise.reject(new AbortError("aborted", signal.reason));
    return new Promise((resolve, reject) => {
      const entry: Entry = { finish, resolve, reject, signal, onAbort: undefined, rounds: 0 };
      if (signal !== undefined) {
        entry.onAbort = () => {
          const at = this.#queue.indexOf(entry);
          if (at >= 0) this.#queue.splice(at, 1);
          reject(new AbortError("aborted", signal.reason));
        };
        signal.addEventListener("abort", entry.onAbort, { once: true });
      }
      this.#queue.push(entry);
      this.#pump();
    });
  }

  #settle(e: Entry, v: BatchVerdict): void {
    if (e.onAbort !== undefined) e.signal?.removeEventListener("abort", e.onAbort);
    e.resolve(v);
  }

  #pump(): void {
    while (this.#inFlight < this.#maxInFlight && this.#queue.length > 0) {
      const batch = this.#take();
      this.#inFlight++;
      void this.#send(batch).finally(() => {
        this.#inFlight--;
        this.#pump();
      });
    }
  }

  /** The next transaction's finishes, in arrival order: distinct objects, within the action limit. */
  #take(): Entry[] {
    const batch: Entry[] = [];
    const keys = new Set<string>();
    const extras = new Set<string>();
    let actions = 0;
    const rest: Entry[] = [];
    for (const e of this.#queue) {
      const f = e.finish;
      const added: string[] = [];
      if (Object.keys(f.delta).length > 0 && !extras.has(`c\n${f.migration}`))
        added.push(`c\n${f.migration}`);
      if (f.hour !== undefined && !extras.has(`h\n${f.migration}\n${f.hour.hour}`))
        added.push(`h\n${f.migration}\n${f.hour.hour}`);
      if (actions >= transactionLimit || keys.has(f.pk) || actions + 1 + added.length > transactionLimit) {
        rest.push(e);
        continue;
      }
      batch.push(e);
      keys.add(f.pk);
      for (const a of added) extras.add(a);
      actions += 1 + added.length;
    }
    this.#queue = rest;
    return batch;
  }

  async #send(batch: Entry[]): Promise<void> {
    const alone = batch.length === 1;
    try {
      await this.#client.send(
        new TransactWriteCommand({
          TransactItems: transactItemsOf(
            this.#table,
            batch.map((e) => e.finish),
          ),
        }),
      );
    } catch (err) {
      if (!(err instanceof TransactionCanceledException) || err.CancellationReasons === undefined) {
        for (const e of batch) this.#settle(e, { kind: "retry", alone, error: err });
        return;
      }
      const reasons = err.CancellationReasons;
      const throttled = reasons.some((r) => transient.has(r.Code ?? ""));
      // a cancellation that names neither a failed condition nor a transient cause (a
      // reason on a counter or hour update, say) would cancel the next try alike
      const explained =
        throttled || reasons.some((r, i) => i < batch.length && r.Code === "ConditionalCheckFailed");
      const again: Entry[] = [];
      for (const [i, e] of batch.entries()) {
        const code = reasons[i]?.Code;
        if (code === "ConditionalCheckFailed") {
          const raw = reasons[i]?.Item as Record<string, AttributeValue> | undefined;
          this.#settle(e, {
            kind: "conflict",
            stored: raw === undefined ? undefined : toItem(unmarshall(raw)),
          });
        } else if (code === "None" && explained && e.rounds < this.#maxRounds) {
          // cancelled for another action's sake: its own write would have held
          e.rounds++;
          if (!e.signal?.aborted) again.push(e);
        } else {
          this.#settle(e, { kind: "retry", alone, error: err });
        }
      }
      if (again.length === 0) return;
      if (!throttled) {
        this.#queue.unshift(...again);
        return;
      }
      // the backoff holds no slot: other finishes go on meanwhile
      const round = Math.max(...again.map((e) => e.rounds));
      void sleep(Math.random() * 20 * 2 ** Math.min(round, 6)).then(() => {
        this.#queue.unshift(...again.filter((e) => !e.signal?.aborted));
        this.#pump();
      });
      return;
    }
    for (const e of batch) this.#settle(e, { kind: "written" });
  }
}
