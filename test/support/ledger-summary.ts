import {
  emptyCounters,
  emptyVerificationCounts,
  type LedgerSummary,
  type MigrationCounters,
} from "../../worker/src/ledger/index.js";

/**
 * A migration's ledger summary with nothing in it but what `over` and `counts` give:
 * `counts` sets counters by name (objects and bytes), the rest of the summary is empty.
 */
export function ledgerSummary(
  over: Partial<LedgerSummary> = {},
  counts: Partial<MigrationCounters> = {},
): LedgerSummary {
  const counters = Object.assign(emptyCounters(), counts);
  return {
    migration: "m",
    counters,
    verified: emptyVerificationCounts(),
    retries: 0,
    hours: [],
    failures: [],
    skips: [],
    ...over,
  };
}
