import { clusterBackends, migrationClients, publishedMigrations } from "../backends/index.js";
import { createLogger } from "../log/index.js";
import { EmfMetrics } from "../metrics/index.js";
import { defaultMigrationsPath } from "../publish/index.js";
import { resolveSettings } from "../settings/index.js";
import type { SqsHandlerOptions } from "./handler.js";

/**
 * The handler's options from the same environment as `longbow work` in cluster mode, built
 * by the same functions: LONGBOW_QUEUE_URL, LONGBOW_TABLE_NAME, LONGBOW_MIGRATIONS_PATH and
 * the LONGBOW_* settings (maxAttempts among them, as for the fleet).
 */
export async function sqsHandlerOptionsFromEnv(env: NodeJS.ProcessEnv): Promise<SqsHandlerOptions> {
  const queueUrl = env.LONGBOW_QUEUE_URL;
  const tableName = env.LONGBOW_TABLE_NAME;
  if (!queueUrl || !tableName) {
    throw new Error(
      "the Lambda worker needs LONGBOW_QUEUE_URL and LONGBOW_TABLE_NAME (it has no local mode)",
    );
  }
  const settings = resolveSettings(env);
  const logger = createLogger({ level: settings.logLevel });
  const backends = clusterBackends(queueUrl, tableName, { logger });
  const migrations = publishedMigrations(env.LONGBOW_MIGRATIONS_PATH ?? defaultMigrationsPath);
  const stream = env.AWS_LAMBDA_LOG_STREAM_NAME;
  return {
    queue: backends.queue,
    ledger: backends.ledger,
    ...(backends.bandwidth ? { bandwidth: backends.bandwidth } : {}),
    migrations,
    clients: migrationClients(settings, { logger }),
    settings,
    logger,
    metrics: new EmfMetrics(),
    // the execution environment, so the ledger says which container ran an attempt
    ...(stream ? { workerId: `lambda/${stream}` } : {}),
  };
}
