import { LongbowError } from "../errors.js";
import { decimalWholeNumber, requireWholeNumber } from "../whole-number.js";

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * Runtime settings of the engine (design §5). Defaults follow the original where it had one.
 * This module is the only place that reads them from the environment; CLI flags and the
 * cluster's configuration override field by field through {@link resolveSettings}.
 */
export interface Settings {
  /** Objects copied at once per worker (MaxParallelFile). @defaultValue 5 */
  filesInParallel: number;
  /** Parts in flight at once per object (MaxThread). @defaultValue 20 */
  partsInParallel: number;
  /**
   * Fixed part size in bytes, or `undefined` for auto: at least 5 MiB, grown so that the
   * object fits in 10,000 parts, and the source's own part size when it used uniform parts.
   * @defaultValue undefined
   */
  partSize: number | undefined;
  /**
   * Smallest part the destination accepts (every part but the last), in bytes. S3 requires
   * 5 MiB; lower it only for an S3-compatible endpoint configured to accept smaller parts
   * (a test emulator), since S3 refuses CompleteMultipartUpload over smaller parts.
   * @defaultValue 5 MiB
   */
  minPartSize: number;
  /** Objects of at most this size are copied with one GET and one PUT (ResumableThreshold). @defaultValue 5 MiB */
  multipartThreshold: number;
  /**
   * Bytes of object data held in memory at once across all copies in the process. Peak
   * memory is about this plus the runtime's own ~100 MiB. @defaultValue 512 MiB
   */
  byteBudget: number;
  /** A job running longer is aborted and left resumable (JobTimeout). @defaultValue 3600 */
  jobTimeoutSeconds: number;
  /** Attempts per S3 request before giving up, with jittered exponential backoff (MaxRetry). @defaultValue 20 */
  maxRetries: number;
  /**
   * Failed attempts of one object (genuine failures: interruptions are never counted)
   * before it is recorded failed and its message dead-lettered. With the retry delay
   * doubling from 5 s, ten attempts span about 36 minutes. @defaultValue 10
   */
  maxAttempts: number;
  /** pino level: trace, debug, info, warn, error, fatal, silent. @defaultValue "info" */
  logLevel: string;
  /**
   * A worker extends the visibility of each job it runs this often (to three times this
   * from now), so no other worker takes it while it runs. @defaultValue 60
   */
  heartbeatSeconds: number;
  /**
   * On SIGTERM/SIGINT or a Spot notice, running jobs get this long to finish; then they are
   * stopped, their messages released and their uploads left resumable. @defaultValue 90
   */
  stopDeadlineSeconds: number;
  /** Give up opening a connection to an S3 endpoint (TCP and TLS) after this long. @defaultValue 10000 */
  connectTimeoutMs: number;
  /**
   * Until an S3 endpoint has answered once, a request whose connection stays silent this long
   * fails; such a request gets only a few attempts, so an endpoint that accepts connections
   * and never answers fails a command within 2 minutes. @defaultValue 30000
   */
  firstByteTimeoutMs: number;
  /** Once an endpoint has answered, a connection that stays silent this long (a stalled transfer) is closed and the request retried. @defaultValue 120000 */
  idleTimeoutMs: number;
  /**
   * Requests `send` keeps in flight to the ledger and the queue at once (BatchGetItem,
   * TransactWriteItems, SendMessageBatch); the compare waits while they are all taken. Each
   * object's message still goes only after its ledger item is written. @defaultValue 16
   */
  sendConcurrency: number;
  /**
   * An object of at least this many bytes is split into part-range jobs that any worker of
   * the fleet copies into one shared upload (see fanout/). @defaultValue 1 GiB
   */
  fanoutThreshold: number;
  /** Parts per range job of a fanned-out object. @defaultValue 64 */
  fanoutPartsPerRange: number;
  /**
   * Workers share a migration's bandwidth limit through leases; a worker that dies gives its
   * share back within this long (leases are renewed every quarter of it). @defaultValue 60
   */
  bandwidthLeaseSeconds: number;
}

export const defaultSettings: Readonly<Settings> = Object.freeze({
  filesInParallel: 5,
  partsInParallel: 20,
  partSize: undefined,
  minPartSize: 5 * MiB,
  multipartThreshold: 5 * MiB,
  byteBudget: 512 * MiB,
  jobTimeoutSeconds: 3600,
  maxRetries: 20,
  maxAttempts: 10,
  logLevel: "info",
  heartbeatSeconds: 60,
  stopDeadlineSeconds: 90,
  connectTimeoutMs: 10_000,
  firstByteTimeoutMs: 30_000,
  idleTimeoutMs: 120_000,
  sendConcurrency: 16,
  fanoutThreshold: 1024 * MiB,
  fanoutPartsPerRange: 64,
  bandwidthLeaseSeconds: 60,
});

/** Environment variable for each setting; sizes are in MiB, except the smallest part's (KiB). */
export const settingsEnv = {
  filesInParallel: "LONGBOW_FILES_IN_PARALLEL",
  partsInParallel: "LONGBOW_PARTS_IN_PARALLEL",
  partSize: "LONGBOW_PART_SIZE_MB",
  minPartSize: "LONGBOW_MIN_PART_SIZE_KB",
  multipartThreshold: "LONGBOW_MULTIPART_THRESHOLD_MB",
  byteBudget: "LONGBOW_BYTE_BUDGET_MB",
  jobTimeoutSeconds: "LONGBOW_JOB_TIMEOUT_SECONDS",
  maxRetries: "LONGBOW_MAX_RETRIES",
  maxAttempts: "LONGBOW_MAX_ATTEMPTS",
  logLevel: "LONGBOW_LOG_LEVEL",
  heartbeatSeconds: "LONGBOW_HEARTBEAT_SECONDS",
  stopDeadlineSeconds: "LONGBOW_STOP_DEADLINE_SECONDS",
  connectTimeoutMs: "LONGBOW_CONNECT_TIMEOUT_MS",
  firstByteTimeoutMs: "LONGBOW_FIRST_BYTE_TIMEOUT_MS",
  idleTimeoutMs: "LONGBOW_IDLE_TIMEOUT_MS",
  sendConcurrency: "LONGBOW_SEND_CONCURRENCY",
  fanoutThreshold: "LONGBOW_FANOUT_THRESHOLD_MB",
  fanoutPartsPerRange: "LONGBOW_FANOUT_PARTS_PER_RANGE",
  bandwidthLeaseSeconds: "LONGBOW_BANDWIDTH_LEASE_SECONDS",
} as const satisfies Record<keyof Settings, string>;

const logLevels = ["trace", "debug", "info", "warn", "error", "fatal", "silent"];

export class SettingsError extends LongbowError {
  constructor(message: string) {
    super("InvalidSetting", message);
    this.name = "SettingsError";
  }
}

function positiveInt(raw: string, name: string): number {
  const n = decimalWholeNumber(raw.trim());
  if (n === undefined || n < 1)
    throw new SettingsError(`${name} must be a positive whole number, got '${raw}'`);
  return n;
}

/** Reads the settings present in `env`; absent variables are left out (not defaulted). */
export function settingsFromEnv(env: NodeJS.ProcessEnv): Partial<Settings> {
  const out: Partial<Settings> = {};
  const read = (field: keyof Settings) => {
    const v = env[settingsEnv[field]];
    return v === undefined || v === "" ? undefined : v;
  };
  for (const field of [
    "filesInParallel",
    "partsInParallel",
    "jobTimeoutSeconds",
    "maxRetries",
    "maxAttempts",
    "heartbeatSeconds",
    "stopDeadlineSeconds",
    "connectTimeoutMs",
    "firstByteTimeoutMs",
    "idleTimeoutMs",
    "sendConcurrency",
    "fanoutPartsPerRange",
    "bandwidthLeaseSeconds",
  ] as const) {
    const v = read(field);
    if (v !== undefined) out[field] = positiveInt(v, settingsEnv[field]);
  }
  for (const field of ["partSize", "multipartThreshold", "byteBudget", "fanoutThreshold"] as const) {
    const v = read(field);
    if (v !== undefined) out[field] = positiveInt(v, settingsEnv[field]) * MiB;
  }
  const minPart = read("minPartSize");
  if (minPart !== undefined) out.minPartSize = positiveInt(minPart, settingsEnv.minPartSize) * KiB;
  const level = read("logLevel");
  if (level !== undefined) out.logLevel = level;
  return out;
}

/** Checks ranges and relations; messages name the setting. */
export function validateSettings(s: Settings): Settings {
  const intAtLeast = (field: keyof Settings, min: number, max?: number) =>
    requireWholeNumber(field, s[field], min, max, (m) => new SettingsError(m));
  intAtLeast("filesInParallel", 1, 1000);
  intAtLeast("partsInParallel", 1, 1000);
  intAtLeast("multipartThreshold", 0, 5 * 1024 * MiB);
  intAtLeast("jobTimeoutSeconds", 1);
  intAtLeast("maxRetries", 1, 100);
  intAtLeast("maxAttempts", 1, 1000);
  intAtLeast("heartbeatSeconds", 1, 14_400);
  intAtLeast("stopDeadlineSeconds", 1);
  intAtLeast("connectTimeoutMs", 100, 600_000);
  intAtLeast("firstByteTimeoutMs", 100, 600_000);
  intAtLeast("idleTimeoutMs", 100, 3_600_000);
  intAtLeast("sendConcurrency", 1, 500);
  intAtLeast("fanoutThreshold", MiB);
  intAtLeast("fanoutPartsPerRange", 1, 10_000);
  intAtLeast("bandwidthLeaseSeconds", 4, 3600);
  intAtLeast("minPartSize", KiB, 5 * 1024 * MiB);
  if (s.partSize !== undefined) {
    if (s.partSize < s.minPartSize) {
      throw new SettingsError(
        `partSize (${s.partSize} bytes) is below the destination's smallest part, minPartSize (${s.minPartSize} bytes)`,
      );
    }
    intAtLeast("partSize", 1, 5 * 1024 * MiB);
  }
  const minPart = s.partSize ?? s.minPartSize;
  if (s.byteBudget < minPart) {
    throw new SettingsError(
      `byteBudget (${s.byteBudget} bytes) must hold at least one part (${minPart} bytes)`,
    );
  }
  if (!logLevels.includes(s.logLevel)) {
    throw new SettingsError(`logLevel must be one of ${logLevels.join(", ")}, got '${s.logLevel}'`);
  }
  return s;
}

/**
 * Defaults, then the environment, then explicit overrides (CLI flags, stack config);
 * `undefined` in an override means "not given".
 */
export function resolveSettings(env: NodeJS.ProcessEnv = {}, overrides: Partial<Settings> = {}): Settings {
  const given = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  return validateSettings({ ...defaultSettings, ...settingsFromEnv(env), ...given });
}
