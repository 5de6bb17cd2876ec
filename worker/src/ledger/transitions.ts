import { isDeletion, type Job } from "../job/index.js";
import type { VerificationLevel } from "../transfer/index.js";
import { itemKeysOf, resumeFields } from "./items.js";
import type {
  CounterBucket,
  CounterKey,
  JobOutcome,
  LedgerItem,
  MigrationCounters,
  Tally,
  VerificationCounts,
} from "./ledger.js";

/** Counter changes of one transition: objects and bytes per counter, negative to take away. */
export type CounterDelta = Partial<Record<CounterKey, Tally>>;

export const counterBuckets: readonly CounterBucket[] = ["pending", "done", "failed", "skipped", "deleted"];

/** The counter of done objects of each verification level. */
export const verificationCounters = {
  "source-etag": "verifiedSourceEtag",
  "source-checksum": "verifiedSourceChecksum",
  "parts-only": "verifiedPartsOnly",
  "content-md5": "verifiedContentMd5",
} as const satisfies Record<VerificationLevel, CounterKey>;

/** Every counter key, in storage order. */
export const counterKeys: readonly CounterKey[] = [
  ...counterBuckets,
  ...Object.values(verificationCounters),
  "retries",
];

export const emptyCounters = (): MigrationCounters => ({
  pending: { objects: 0, bytes: 0 },
  done: { objects: 0, bytes: 0 },
  failed: { objects: 0, bytes: 0 },
  skipped: { objects: 0, bytes: 0 },
  deleted: { objects: 0, bytes: 0 },
});

export const emptyVerificationCounts = (): VerificationCounts => ({
  "source-etag": { objects: 0, bytes: 0 },
  "source-checksum": { objects: 0, bytes: 0 },
  "parts-only": { objects: 0, bytes: 0 },
  "content-md5": { objects: 0, bytes: 0 },
});

/** Fills a summary's counters, verification counts and retries from stored counter values. */
export function countersFrom(read: (key: CounterKey) => Tally): {
  counters: MigrationCounters;
  verified: VerificationCounts;
  retries: number;
} {
  const counters = emptyCounters();
  for (const b of counterBuckets) counters[b] = read(b);
  const verified = emptyVerificationCounts();
  for (const [level, key] of Object.entries(verificationCounters) as [VerificationLevel, CounterKey][])
    verified[level] = read(key);
  return { counters, verified, retries: read("retries").objects };
}

/** The sum of several counter changes (one counter update for a batch). */
export function sumDeltas(deltas: readonly CounterDelta[]): CounterDelta {
  const out: CounterDelta = {};
  for (const d of deltas) {
    for (const [key, t] of Object.entries(d) as [CounterKey, Tally][]) {
      const prev = out[key] ?? { objects: 0, bytes: 0 };
      out[key] = { objects: prev.objects + t.objects, bytes: prev.bytes + t.bytes };
    }
  }
  return out;
}

/** When a finished copy's bytes started moving, clipped to the hour it is counted in. */
export function firstAt(o: { startedAt?: string; endedAt?: string }): string {
  const end = o.endedAt ?? new Date().toISOString();
  const hourStart = `${hourOf(end)}:00:00.000Z`;
  const start = o.startedAt ?? end;
  return start < hourStart ? hourStart : start;
}

/** UTC clock hour of an ISO time: `2026-11-26T01`. */
export const hourOf = (iso: string): string => iso.slice(0, 13);

function add(delta: CounterDelta, key: CounterKey, objects: number, bytes: number): void {
  const prev = delta[key] ?? { objects: 0, bytes: 0 };
  delta[key] = { objects: prev.objects + objects, bytes: prev.bytes + bytes };
}

/** Moves an object from the counters it is in (state, and verification when done) to `item`'s. */
function move(old: LedgerItem | undefined, item: LedgerItem): CounterDelta {
  const delta: CounterDelta = {};
  if (old?.countedAs) {
    add(delta, old.countedAs, -1, -old.size);
    if (old.countedAs === "done" && old.verification)
      add(delta, verificationCounters[old.verification], -1, -old.size);
  }
  if (item.countedAs) {
    add(delta, item.countedAs, 1, item.size);
    if (item.countedAs === "done" && item.verification)
      add(delta, verificationCounters[item.verification], 1, item.size);
  }
  for (const [k, t] of Object.entries(delta) as [CounterKey, Tally][]) {
    if (t.objects === 0 && t.bytes === 0) delete delta[k];
  }
  return delta;
}

// a deletion and a copy of one key are different work, whatever their source fields say
const sameSource = (item: LedgerItem | undefined, job: Job) =>
  item !== undefined &&
  (item.deletion === true) === isDeletion(job) &&
  item.sourceEtag === job.source.etag &&
  item.sourceVersionId === job.source.versionId;

/** The size an item of `job` records: the source's for a copy, the listed destination object's for a deletion. */
const jobSize = (job: Job): number | undefined => job.source.size ?? job.destination.size;

/** True when the job is already waiting or being copied from the same source version. */
export function alreadyPending(old: LedgerItem | undefined, job: Job): boolean {
  return (old?.status === "queued" || old?.status === "running") && sameSource(old, job);
}

/** True when the same source version was recorded done at or after `since` (it finished during the compare). */
export function finishedSince(old: LedgerItem | undefined, job: Job, since: Date | undefined): boolean {
  return (
    since !== undefined &&
    old?.status === "done" &&
    sameSource(old, job) &&
    old.endedAt !== undefined &&
    Date.parse(old.endedAt) >= since.getTime()
  );
}

/** Fields an item keeps when it is queued again: its resume point, its history, and its copy's proof. */
function carried(old: LedgerItem | undefined, job: Job): Partial<LedgerItem> {
  if (old === undefined) return {};
  const out: Partial<LedgerItem> = {};
  for (const f of [...resumeFields, "retries"] as const) {
    if (old[f] !== undefined) (out as Record<string, unknown>)[f] = old[f];
  }
  if (old.verification !== undefined && sameSource(old, job)) out.verification = old.verification;
  return out;
}

/**
 * The item and counter change for enqueueing `job`, or undefined when it is already
 * pending or finished since `finishedSince`. A queued-again item keeps its unfinished
 * upload, part plan and history (`attempts`, `retries`); its failures start again at 0.
 */
export function planEnqueue(
  old: LedgerItem | undefined,
  job: Job,
  now: Date,
  options: { requeuePending?: boolean | undefined; finishedSince?: Date | undefined } = {},
): { item: LedgerItem; delta: CounterDelta } | undefined {
  if (!options.requeuePending && alreadyPending(old, job)) return undefined;
  if (finishedSince(old, job, options.finishedSince)) return undefined;
  const size = jobSize(job) ?? 0;
  const item: LedgerItem = {
    ...itemKeysOf(job),
    ...carried(old, job),
    status: "queued",
    size,
    attempts: old?.attempts ?? 0,
    failures: 0,
    queuedAt: now.toISOString(),
    countedAs: "pending",
    rev: (old?.rev ?? 0) + 1,
  };
  if (isDeletion(job)) item.deletion = true;
  // a pending item is counted nowhere by verification: a queued-again object's proof is only carried
  if (job.source.etag !== undefined) item.sourceEtag = job.source.etag;
  if (job.source.versionId !== undefined) item.sourceVersionId = job.source.versionId;
  return { item, delta: move(old, item) };
}

/**
 * The item and counter change for an attempt's outcome, or undefined when the same source
 * version is already recorded done (a duplicate delivery must not count twice). A done
 * object is counted under what proved it: the outcome's level, else (an identical object
 * matched by provenance) the level recorded for the same source earlier, else parts-only,
 * the least a Longbow copy proves.
 */
export function planFinish(
  old: LedgerItem | undefined,
  job: Job,
  outcome: JobOutcome,
): { item: LedgerItem; delta: CounterDelta } | undefined {
  // a deletion's source is gone: what an earlier copy was made from no longer describes it
  const deletion = isDeletion(job);
  const sourceEtag = deletion ? undefined : (outcome.sourceEtag ?? job.source.etag ?? old?.sourceEtag);
  if (old?.status === "done" && outcome.status === "done" && old.sourceEtag === sourceEtag) return undefined;
  const size = outcome.bytes ?? jobSize(job) ?? old?.size ?? 0;
  const item: LedgerItem = {
    ...itemKeysOf(job),
    status: outcome.status,
    size,
    attempts: (old?.attempts ?? 0) + (outcome.attemptNoted ? 0 : 1),
    failures: old?.failures ?? 0,
    startedAt: outcome.startedAt,
    endedAt: outcome.endedAt,
    workerId: outcome.workerId,
    countedAs: outcome.status,
    rev: (old?.rev ?? 0) + 1,
  };
  if (deletion) item.deletion = true;
  const retries = (old?.retries ?? 0) + (outcome.retries ?? 0);
  if (retries > 0) item.retries = retries;
  if (old?.queuedAt !== undefined) item.queuedAt = old.queuedAt;
  if (sourceEtag !== undefined) item.sourceEtag = sourceEtag;
  const versionId = deletion
    ? undefined
    : (outcome.sourceVersionId ?? job.source.versionId ?? old?.sourceVersionId);
  if (versionId !== undefined) item.sourceVersionId = versionId;
  if (outcome.destinationEtag !== undefined) item.destinationEtag = outcome.destinationEtag;
  if (outcome.reason !== undefined) item.lastError = clip(outcome.reason);
  if (outcome.status === "done") {
    const earlier = old?.sourceEtag === sourceEtag ? old?.verification : undefined;
    item.verification = outcome.verification ?? earlier ?? "parts-only";
  }
  const delta = move(old, item);
  if (outcome.retries) add(delta, "retries", outcome.retries, 0);
  return { item, delta };
}

/**
 * What a finished attempt adds to its hour's tally: bytes actually sent (not an identical
 * object's, nor parts an earlier attempt left), and objects actually copied.
 */
export function hourTallyOf(outcome: JobOutcome): Tally | undefined {
  if (outcome.status !== "done") return undefined;
  const tally = {
    objects: outcome.copied === false ? 0 : 1,
    bytes: outcome.transferredBytes ?? outcome.bytes ?? 0,
  };
  return tally.objects === 0 && tally.bytes === 0 ? undefined : tally;
}

/** Ledger text fields are bounded: an error message can be long, an item cannot. */
export const clip = (text: string, max = 1000): string =>
  text.length > max ? `${text.slice(0, max - 1)}…` : text;
