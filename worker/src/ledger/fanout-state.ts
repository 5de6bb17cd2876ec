import type { FanoutProgress, FanoutRecords, FanoutStart, FanoutState } from "./ledger.js";

/**
 * The transitions of a fan-out record, planned from the record as read; both ledgers write
 * the result conditionally (SQLite in one transaction, DynamoDB on the record's revision),
 * so racing workers re-plan from what the winner wrote.
 */

/** The record a fan-out opens with, or undefined when `old` is that very upload's already. */
export function planOpen(old: FanoutState | undefined, fanout: FanoutStart): FanoutState | undefined {
  if (old?.uploadId === fanout.uploadId) return undefined;
  return { ...fanout, rangesDone: [], partsDone: 0 };
}

/**
 * The record with range `index` done. `undefined`: the record is of another upload (or
 * none), nothing to write; `same`: the range was done already.
 */
export function planRangeDone(
  old: FanoutState | undefined,
  uploadId: string,
  range: { index: number; parts: number },
): FanoutState | "same" | undefined {
  if (old === undefined || old.uploadId !== uploadId) return undefined;
  if (old.rangesDone.includes(range.index)) return "same";
  if (!Number.isInteger(range.index) || range.index < 0 || range.index >= old.rangesTotal) return "same";
  const rangesDone = [...old.rangesDone, range.index].sort((a, b) => a - b);
  return { ...old, rangesDone, partsDone: old.partsDone + range.parts };
}

/** True when every range of the record is done. */
export const allRangesDone = (s: FanoutState): boolean => s.rangesDone.length >= s.rangesTotal;

/**
 * The record with the completion claimed by range `index`: `granted` when it is that
 * range's (now or already), with the record to write when it changed.
 */
export function planClaim(
  old: FanoutState | undefined,
  uploadId: string,
  index: number,
): { granted: boolean; write?: FanoutState } {
  if (old === undefined || old.uploadId !== uploadId || old.ended === "aborted" || !allRangesDone(old)) {
    return { granted: false };
  }
  if (old.completer !== undefined) return { granted: old.completer === index };
  return { granted: true, write: { ...old, completer: index } };
}

/** The record ended, unless it is of another upload or ended already. */
export function planEnd(
  old: FanoutState | undefined,
  uploadId: string,
  ended: "completed" | "aborted",
  reason: string | undefined,
): FanoutState | undefined {
  if (old === undefined || old.uploadId !== uploadId || old.ended !== undefined) return undefined;
  return { ...old, ended, ...(reason === undefined ? {} : { reason: reason.slice(0, 1000) }) };
}

/** A record's progress for a report. */
export function progressOf(sourceKey: string, s: FanoutState): FanoutProgress {
  return {
    sourceKey,
    partsDone: s.partsDone,
    partsTotal: s.partsTotal,
    rangesDone: s.rangesDone.length,
    rangesTotal: s.rangesTotal,
  };
}

/** Fan-outs a summary lists at most. */
export const fanoutsListed = 50;

/** A planned change of a fan-out record: what to write (if anything) and what the call answers. */
export type FanoutChange<T> = (old: FanoutState | undefined) => { write?: FanoutState; out: T };

/** The changes behind each {@link FanoutRecords} call, shared by both ledgers. */
export const fanoutChanges = {
  open:
    (fanout: Parameters<typeof planOpen>[1]): FanoutChange<FanoutState> =>
    (old) => {
      const write = planOpen(old, fanout);
      return write === undefined ? { out: old as FanoutState } : { write, out: write };
    },
  rangeDone:
    (uploadId: string, range: { index: number; parts: number }): FanoutChange<FanoutState | undefined> =>
    (old) => {
      const next = planRangeDone(old, uploadId, range);
      if (next === undefined) return { out: undefined };
      return next === "same" ? { out: old } : { write: next, out: next };
    },
  claim:
    (uploadId: string, index: number): FanoutChange<boolean> =>
    (old) => {
      const { granted, write } = planClaim(old, uploadId, index);
      return write === undefined ? { out: granted } : { write, out: granted };
    },
  end:
    (uploadId: string, ended: "completed" | "aborted", reason: string | undefined): FanoutChange<undefined> =>
    (old) => {
      const write = planEnd(old, uploadId, ended, reason);
      return write === undefined ? { out: undefined } : { write, out: undefined };
    },
};
