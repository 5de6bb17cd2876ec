export {
  type AttemptContext,
  attemptJob,
  attemptResumeStore,
  attemptUnknownMigration,
  isInterruption,
  type Verdict,
  verdictOf,
} from "./attempt.js";
export { type CachedMigrationsOptions, cachedClients, cachedMigrations } from "./caches.js";
export { applySettlement, recordLastDelivery } from "./delivery.js";
export type { FailureDisposition, RunnerEvents } from "./events.js";
export { decodeEventKey, jobsForObject, type ParsedMessage, parseMessage } from "./message.js";
export {
  type MetricsSink,
  type MigrationClients,
  type ResolvedRunnerOptions,
  type RunnerOptions,
  RunnerOptionsError,
  resolveRunnerOptions,
} from "./options.js";
export { jobMetricsOf, type Settlement, settlementOf } from "./outcome.js";
export { type EmitRunnerEvent, type MessageDeps, messageDeps, processMessage } from "./process-message.js";
export { Runner, type RunnerStatus } from "./runner.js";
export { type SpotNotice, type SpotWatcher, type SpotWatcherOptions, watchSpotInterruption } from "./spot.js";
