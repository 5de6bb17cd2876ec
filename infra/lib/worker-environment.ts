import { settingsEnv } from "../../worker/src/settings/index.js";
import type { WorkerSettingsConfig } from "./config.js";

/** What the stack knows at deploy time and hands to every worker. */
export interface WorkerEnvironmentOptions {
  readonly region: string;
  readonly queueUrl: string;
  readonly tableName: string;
  readonly migrationsPath: string;
  readonly credentialsParameter: string;
  readonly jobTimeoutSeconds: number;
  /** How long systemd waits after SIGTERM; the engine's stop deadline is 30 s less. */
  readonly drainTimeoutSeconds: number;
  readonly settings: WorkerSettingsConfig;
}

/**
 * The worker's environment: the engine's `LONGBOW_*` settings variables (only those the
 * config sets, so the engine's own defaults stay the single source) plus where the queue,
 * ledger, migrations and credentials are.
 */
export function workerEnvironment(o: WorkerEnvironmentOptions): Record<string, string> {
  const env: Record<string, string> = {
    AWS_REGION: o.region,
    LONGBOW_QUEUE_URL: o.queueUrl,
    LONGBOW_TABLE_NAME: o.tableName,
    LONGBOW_MIGRATIONS_PATH: o.migrationsPath,
    LONGBOW_CREDENTIALS_PARAMETER: o.credentialsParameter,
    [settingsEnv.jobTimeoutSeconds]: String(o.jobTimeoutSeconds),
    // finish or release running jobs before systemd's SIGKILL
    [settingsEnv.stopDeadlineSeconds]: String(o.drainTimeoutSeconds - 30),
  };
  const s = o.settings;
  const set = (name: string, value: string | number | undefined) => {
    if (value !== undefined) env[name] = String(value);
  };
  set(settingsEnv.filesInParallel, s.filesInParallel);
  set(settingsEnv.partsInParallel, s.partsInParallel);
  set(settingsEnv.partSize, s.partSizeMiB);
  set(settingsEnv.multipartThreshold, s.multipartThresholdMiB);
  set(settingsEnv.byteBudget, s.byteBudgetMiB);
  set(settingsEnv.maxRetries, s.maxRetries);
  set(settingsEnv.logLevel, s.logLevel);
  set(settingsEnv.heartbeatSeconds, s.heartbeatSeconds);
  return env;
}
