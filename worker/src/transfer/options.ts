import type { S3Client } from "@aws-sdk/client-s3";
import { LongbowError } from "../errors.js";
import { type Logger, silentLogger } from "../log/index.js";
import { defaultSettings, type Settings } from "../settings/index.js";
import { requireWholeNumber } from "../whole-number.js";
import { ByteBudget } from "./byte-budget.js";
import type { TransferEventListener } from "./events.js";
import { TransferPool } from "./pool.js";
import type { ResumeStore } from "./resume-store.js";

const MiB = 1024 * 1024;

/** The settings a copy reads; see {@link Settings} for each default. */
export type CopySettings = Pick<
  Settings,
  "partsInParallel" | "partSize" | "multipartThreshold" | "maxRetries" | "jobTimeoutSeconds" | "byteBudget"
>;

/** Options of `copyObject`. */
export interface CopyOptions {
  /** Client for the source side (its own credentials). */
  source: S3Client;
  /** Client for the destination side (its own credentials). */
  destination: S3Client;
  /** Names the source in messages, e.g. "global (us-east-1)". @defaultValue "source" */
  sourceLabel?: string;
  /** Names the destination in messages, e.g. "china (cn-northwest-1)". @defaultValue "destination" */
  destinationLabel?: string;
  /** Overrides of the runtime settings. @defaultValue {@link defaultSettings} */
  settings?: Partial<CopySettings>;
  /**
   * Process-wide bound on bytes in memory, shared by every copy. Pass the same one to every
   * call. @defaultValue a new budget of `settings.byteBudget` bytes, private to this copy
   */
  budget?: ByteBudget;
  /**
   * Process-wide scheduler of part transfers, shared by every copy. Pass the same one to
   * every call. @defaultValue a new pool of `settings.partsInParallel` slots, private to this copy
   */
  pool?: TransferPool;
  /** Keeps the uploadId and part size of an unfinished upload. @defaultValue none: ListMultipartUploads on the key */
  resumeStore?: ResumeStore;
  /** Cancels the copy; the upload is kept for resume. */
  signal?: AbortSignal;
  /** @defaultValue a silent logger */
  logger?: Logger;
  /** Record the source ETag and versionId as user metadata on the destination. @defaultValue true */
  provenance?: boolean;
  /** Pin reads to the version the source HEAD returns even when the job carries none (GetObjectWithVersionId). @defaultValue false */
  getObjectWithVersionId?: boolean;
  /** Take the source's current versionId before copying and report it in the result (UpdateVersionId); implies pinning to it. @defaultValue false */
  updateVersionId?: boolean;
  /** Receives typed progress events. */
  onProgress?: TransferEventListener;
  /**
   * The job may have run before (a redelivered message). A job that carries its listed size
   * at or below the multipart threshold is normally copied with one GET and one PUT and no
   * HEAD; a redelivered one HEADs the destination first, so a copy that finished but was
   * never acknowledged is found identical instead of being sent again. @defaultValue false
   */
  redelivered?: boolean;
  /**
   * Smallest part the engine plans. S3 requires 5 MiB; lower it only against a store
   * configured to accept smaller parts (tests). @defaultValue 5 MiB
   */
  minPartSize?: number;
  /** Whole-copy attempts after a verification failure removed a bad upload or object. @defaultValue 3 */
  maxCopyAttempts?: number;
  /** Page size of ListParts and ListMultipartUploads. @defaultValue 1000 */
  listPageSize?: number;
  /** Base of the jittered exponential backoff between attempts of one part. @defaultValue 100 */
  retryBaseDelayMs?: number;
  /** Milliseconds since the epoch; injected for tests. @defaultValue Date.now */
  clock?: () => number;
  /**
   * Waits until `bytes` may cross the link (a bandwidth limit); called before a part or a
   * small object reserves its memory and before its GET. @defaultValue no limit
   */
  pace?: Pace;
  /**
   * Called once every part of the copy has its connection (none is left to start, only
   * parts in flight to end): the caller may start its next copy now, so that copy's start
   * overlaps these last parts (see `Draining`). Not called when the copy fails first.
   * @defaultValue nothing
   */
  onLastPartStarted?: () => void;
}

/** See {@link CopyOptions.pace}. */
export type Pace = (bytes: number, signal?: AbortSignal) => Promise<void>;

const unpaced: Pace = async () => {};

/** {@link CopyOptions} with every default applied. */
export interface ResolvedCopyOptions {
  source: S3Client;
  destination: S3Client;
  sourceLabel: string;
  destinationLabel: string;
  settings: CopySettings;
  budget: ByteBudget;
  pool: TransferPool;
  resumeStore: ResumeStore | undefined;
  signal: AbortSignal | undefined;
  logger: Logger;
  provenance: boolean;
  getObjectWithVersionId: boolean;
  updateVersionId: boolean;
  onProgress: TransferEventListener;
  redelivered: boolean;
  minPartSize: number;
  maxCopyAttempts: number;
  listPageSize: number;
  retryBaseDelayMs: number;
  clock: () => number;
  pace: Pace;
  onLastPartStarted: () => void;
}

/** Applies the defaults in one place, then validates; messages name the option. */
export function resolveCopyOptions(options: CopyOptions): ResolvedCopyOptions {
  const given = Object.fromEntries(Object.entries(options.settings ?? {}).filter(([, v]) => v !== undefined));
  const settings: CopySettings = {
    partsInParallel: defaultSettings.partsInParallel,
    partSize: defaultSettings.partSize,
    multipartThreshold: defaultSettings.multipartThreshold,
    maxRetries: defaultSettings.maxRetries,
    jobTimeoutSeconds: defaultSettings.jobTimeoutSeconds,
    byteBudget: defaultSettings.byteBudget,
    ...given,
  };
  const resolved: Omit<ResolvedCopyOptions, "budget" | "pool"> = {
    source: options.source,
    destination: options.destination,
    sourceLabel: options.sourceLabel ?? "source",
    destinationLabel: options.destinationLabel ?? "destination",
    settings,
    resumeStore: options.resumeStore,
    signal: options.signal,
    logger: options.logger ?? silentLogger,
    provenance: options.provenance ?? true,
    getObjectWithVersionId: options.getObjectWithVersionId ?? false,
    updateVersionId: options.updateVersionId ?? false,
    onProgress: options.onProgress ?? (() => {}),
    redelivered: options.redelivered ?? false,
    minPartSize: options.minPartSize ?? 5 * MiB,
    maxCopyAttempts: options.maxCopyAttempts ?? 3,
    listPageSize: options.listPageSize ?? 1000,
    retryBaseDelayMs: options.retryBaseDelayMs ?? 100,
    clock: options.clock ?? Date.now,
    pace: options.pace ?? unpaced,
    onLastPartStarted: options.onLastPartStarted ?? (() => {}),
  };
  validateCopyOptions(resolved);
  return {
    ...resolved,
    budget: options.budget ?? ByteBudget.forProcess(settings.byteBudget),
    pool: options.pool ?? new TransferPool({ concurrency: settings.partsInParallel }),
  };
}

/** Checks ranges; throws a LongbowError("InvalidOption") naming the option. */
export function validateCopyOptions(o: Omit<ResolvedCopyOptions, "budget" | "pool">): void {
  const whole = (name: string, v: number | undefined, min: number, max?: number) =>
    requireWholeNumber(name, v, min, max);
  if (!o.source || !o.destination) {
    throw new LongbowError(
      "InvalidOption",
      "CopyOptions.source and CopyOptions.destination clients are required",
    );
  }
  whole("settings.partsInParallel", o.settings.partsInParallel, 1, 1000);
  whole("settings.multipartThreshold", o.settings.multipartThreshold, 0, 5 * 1024 * MiB);
  whole("settings.maxRetries", o.settings.maxRetries, 1, 100);
  whole("settings.jobTimeoutSeconds", o.settings.jobTimeoutSeconds, 1);
  whole("minPartSize", o.minPartSize, 1, 5 * 1024 * MiB);
  if (o.settings.partSize !== undefined)
    whole("settings.partSize", o.settings.partSize, o.minPartSize, 5 * 1024 * MiB);
  whole("maxCopyAttempts", o.maxCopyAttempts, 1, 20);
  whole("listPageSize", o.listPageSize, 1, 1000);
  whole("retryBaseDelayMs", o.retryBaseDelayMs, 0, 60_000);
}
