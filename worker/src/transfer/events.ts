/**
 * Progress of one copy, as typed events (past-tense facts). `bytes` always counts object
 * data of that step, so a progress bar sums `part_uploaded.bytes` and `object_put.bytes`
 * (and `parts_reused.bytes` for what an earlier attempt already moved).
 */
export type TransferEvent =
  /** The plan is known. */
  | {
      type: "copy_planned";
      key: string;
      bytesTotal: number;
      partsTotal: number;
      partSize: number;
      multipart: boolean;
    }
  /** A multipart upload was started (or found) for this copy. */
  | { type: "upload_started"; uploadId: string; partSize: number; resumed: boolean }
  /** Parts already at the destination from an earlier attempt, kept. */
  | { type: "parts_reused"; count: number; bytes: number }
  /** One part was read from the source. */
  | { type: "part_downloaded"; partNumber: number; bytes: number }
  /** A part kept from an earlier attempt was read again to prove it, and it matched (nothing uploaded). */
  | { type: "part_checked"; partNumber: number; bytes: number }
  /** One part was written to the destination and its ETag verified. */
  | { type: "part_uploaded"; partNumber: number; bytes: number; uploadId: string }
  /** A small object was written with one PUT and its ETag verified. */
  | { type: "object_put"; bytes: number }
  /** A request or a verification failed and will be tried again. */
  | { type: "retried"; what: string; attempt: number; code: string }
  /** The whole copy is restarted after a verification failure (bad upload removed). */
  | { type: "copy_restarted"; attempt: number; reason: string };

/** Receives {@link TransferEvent}s; must not throw or block. */
export type TransferEventListener = (event: TransferEvent) => void;
