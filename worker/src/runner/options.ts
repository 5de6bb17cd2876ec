import { hostname } from "node:os";
import type { S3Client } from "@aws-sdk/client-s3";
import type { BandwidthShares } from "../bandwidth/index.js";
import type { Migration } from "../config/index.js";
import { LongbowError } from "../errors.js";
import type { Job } from "../job/index.js";
import type { Ledger } from "../ledger/index.js";
import { type Logger, silentLogger } from "../log/index.js";
import type { JobMetrics } from "../metrics/index.js";
import type { Queue } from "../queue/index.js";
import { resolveSettings, type Settings } from "../settings/index.js";
import type { CopyOptions, TransferEvent } from "../transfer/index.js";
import { requireWholeNumber } from "../whole-number.js";

/** The two S3 clients of one migration, each with its own side's credentials. */
export interface MigrationClients {
  source: S3Client;
  destination: S3Client;
  /** Names the sides in messages, e.g. "global (us-east-1)". */
  sourceLabel?: string;
  destinationLabel?: string;
}

/** Receives the metrics of each finished job (EMF in the cluster). */
export interface MetricsSink {
  jobFinished(m: JobMetrics): void;
}

export interface RunnerOptions {
  queue: Queue;
  ledger: Ledger;
  /** The current migrations (published set or local files); re-read every `migrationsRefreshSeconds`. */
  migrations: () => Promise<readonly Migration[]>;
  /** Builds the clients of a migration; called once per migration and kept. */
  clients: (migration: Migration) => Promise<MigrationClients>;
  /** Runtime settings (filesInParallel, partsInParallel, jobTimeoutSeconds, heartbeatSeconds, ...). @defaultValue {@link defaultSettings} */
  settings?: Partial<Settings>;
  /** A transient failure is retried after this many seconds, doubling per attempt (at most 900). @defaultValue 5 */
  retryBaseDelaySeconds?: number;
  /** Long polling wait. @defaultValue 20 */
  waitSeconds?: number;
  /**
   * Receives in flight at once (each of at most ten messages), while the engine has room:
   * at most one per ten pool connections. @defaultValue 4
   */
  receivesInParallel?: number;
  /** @defaultValue 300 */
  migrationsRefreshSeconds?: number;
  /** Stop by itself once the queue holds no more work (local mode). @defaultValue false */
  stopWhenIdle?: boolean;
  /** Recorded in the ledger and logs. @defaultValue `<hostname>-<pid>` */
  workerId?: string;
  /** @defaultValue none */
  metrics?: MetricsSink;
  /**
   * Where the fleet's workers share each migration's bandwidth limit (the ledger table in
   * the cluster). @defaultValue none: this process takes the whole limit (local mode)
   */
  bandwidth?: BandwidthShares;
  /** Transfer engine knobs beyond the settings (tests lower `minPartSize` or backoff). */
  transfer?: Pick<CopyOptions, "minPartSize" | "retryBaseDelayMs" | "provenance" | "maxCopyAttempts">;
  /** Progress of every copy, e.g. for a progress bar. */
  onProgress?: (job: Job, event: TransferEvent) => void;
  /** @defaultValue silentLogger */
  logger?: Logger;
  /** Milliseconds since the epoch. @defaultValue Date.now */
  now?: () => number;
}

/** {@link RunnerOptions} with every default applied. */
export type ResolvedRunnerOptions = Required<
  Omit<RunnerOptions, "metrics" | "transfer" | "onProgress" | "settings" | "bandwidth">
> &
  Pick<RunnerOptions, "metrics" | "transfer" | "onProgress" | "bandwidth"> & { settings: Settings };

export class RunnerOptionsError extends LongbowError {
  constructor(message: string) {
    super("InvalidOption", message);
    this.name = "RunnerOptionsError";
  }
}

/** Applies the defaults in one place and validates; messages name the option. */
export function resolveRunnerOptions(o: RunnerOptions): ResolvedRunnerOptions {
  // the entry points pass resolved settings; tests and the bench may pass a few fields
  const settings = resolveSettings({}, o.settings);
  const r: ResolvedRunnerOptions = {
    queue: o.queue,
    ledger: o.ledger,
    migrations: o.migrations,
    clients: o.clients,
    settings,
    retryBaseDelaySeconds: o.retryBaseDelaySeconds ?? 5,
    waitSeconds: o.waitSeconds ?? 20,
    receivesInParallel: o.receivesInParallel ?? 4,
    migrationsRefreshSeconds: o.migrationsRefreshSeconds ?? 300,
    stopWhenIdle: o.stopWhenIdle ?? false,
    workerId: o.workerId ?? `${hostname()}-${process.pid}`,
    metrics: o.metrics,
    bandwidth: o.bandwidth,
    transfer: o.transfer,
    onProgress: o.onProgress,
    logger: o.logger ?? silentLogger,
    now: o.now ?? Date.now,
  };
  const whole = (name: string, v: number, min: number, max?: number) =>
    requireWholeNumber(name, v, min, max, (m) => new RunnerOptionsError(m));
  whole("retryBaseDelaySeconds", r.retryBaseDelaySeconds, 0, 900);
  whole("waitSeconds", r.waitSeconds, 0, 20);
  whole("receivesInParallel", r.receivesInParallel, 1, 50);
  whole("migrationsRefreshSeconds", r.migrationsRefreshSeconds, 1);
  if (!o.queue || !o.ledger || !o.migrations || !o.clients) {
    throw new RunnerOptionsError("queue, ledger, migrations and clients are required");
  }
  return r;
}
