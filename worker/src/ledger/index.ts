export { createLedgerTable } from "./create-table.js";
export { DynamoLedger, type DynamoLedgerOptions } from "./dynamo-ledger.js";
export { LedgerError } from "./errors.js";
export type {
  CopiedFrom,
  CounterBucket,
  EnqueueOptions,
  FanoutProgress,
  FanoutRecords,
  FanoutStart,
  FanoutState,
  HourTally,
  JobOutcome,
  JobRun,
  Ledger,
  LedgerItem,
  LedgerSummary,
  MigrationCounters,
  ObjectStatus,
  Tally,
  VerificationCounts,
} from "./ledger.js";
export { SqliteLedger, type SqliteLedgerOptions } from "./sqlite-ledger.js";
export { emptyCounters, emptyVerificationCounts } from "./transitions.js";
