import { type Migration, storeOf } from "../config/index.js";
import type { Job } from "../job/index.js";
import type { JobOutcome, JobRun } from "../ledger/index.js";
import { type DeletionResult, deleteDestinationObject, deletionOutOfScope } from "../mirror/index.js";
import type { Verdict } from "./attempt.js";
import type { MigrationClients, ResolvedRunnerOptions } from "./options.js";

/** What one deletion attempt needs. */
export interface DeletionContext {
  o: ResolvedRunnerOptions;
  migration: Migration;
  clients: MigrationClients;
  run: JobRun;
  signal: AbortSignal;
}

const noWork = (durationMs = 0): DeletionResult => ({ status: "absent", bytes: 0, durationMs });

/**
 * One attempt at a mirror-mode deletion, recorded in the ledger like a copy: `deleted` when
 * the destination object is gone (deleted now, or already absent), `skipped` with the reason
 * when it was kept on purpose, and failures noted, retried and finally recorded `failed`
 * (the message then goes to the dead letters) as a copy's are. The condition is the job's
 * listed ETag, or for a deletion from a source event the ledger's record of the copy.
 */
export async function attemptDeletion(job: Job, ctx: DeletionContext): Promise<Verdict> {
  const { o, migration, clients, run, signal } = ctx;
  const finish = (status: JobOutcome["status"], extra: Partial<JobOutcome> = {}) =>
    o.ledger.finish(job, { ...run, status, endedAt: new Date(o.now()).toISOString(), ...extra }, signal);
  // A listed deletion was recorded pending by its send, so its end is recorded; one from a
  // source event changes the record only when it deletes: the copy it kept stays done.
  const listed = job.destination.etag !== undefined;
  const keep = async (deletion: DeletionResult, reason: string): Promise<Verdict> => {
    if (listed) await finish("skipped", { reason });
    return { kind: "kept", deletion, reason };
  };
  const outside = deletionOutOfScope(migration, job);
  if (outside !== undefined) {
    // never from Longbow's own send or events: a forged or garbled message, not an object of
    // the migration, so it goes to the dead letters without a ledger record
    return { kind: "dead", reason: outside, code: "DeletionOutOfScope" };
  }
  if (!migration.mirror.enabled) {
    // sent while the migration mirrored; the file has turned it off since
    const reason = `not deleted: migration '${migration.name}' no longer mirrors (mirror is off)`;
    return keep({ ...noWork(), status: "kept", reason }, reason);
  }
  let expected = job.destination.etag;
  if (expected === undefined) {
    const item = await o.ledger.get(job, signal);
    // a repeated event for an object already deleted: nothing left to do or count
    if (item?.status === "deleted") return { kind: "deleted", deletion: noWork() };
    if (item?.status === "done" && item.deletion !== true) expected = item.destinationEtag;
  }
  const deletion = await deleteDestinationObject(job, {
    source: clients.source,
    destination: clients.destination,
    ...(clients.sourceLabel ? { sourceLabel: clients.sourceLabel } : {}),
    ...(clients.destinationLabel ? { destinationLabel: clients.destinationLabel } : {}),
    expectedEtag: expected,
    // AWS S3 honours If-Match on DeleteObject; another store might ignore it, so it is HEADed first
    headFirst: !storeOf(migration.destination).startsWith("aws:"),
    signal,
  });
  switch (deletion.status) {
    case "deleted":
      await finish("deleted", { bytes: deletion.bytes });
      return { kind: "deleted", deletion };
    case "absent":
      await finish("deleted");
      return { kind: "deleted", deletion };
    case "kept":
      return keep(deletion, deletion.reason ?? "not deleted");
    default: {
      if (signal.aborted) return { kind: "stopped" };
      const reason = deletion.reason ?? "deletion failed";
      const code = deletion.errorCode;
      const base = { reason, ...(code === undefined ? {} : { code }) };
      if (deletion.retryable === false) {
        await finish("failed", { reason });
        return { kind: "dead", ...base };
      }
      const failures = await o.ledger.noteError(job, run, reason, { signal });
      if (failures < o.settings.maxAttempts) return { kind: "retry", ...base, failures };
      const gaveUp = `gave up after ${failures} failed attempts: ${reason}`;
      await finish("failed", { reason: gaveUp, attemptNoted: true });
      return { kind: "dead", ...base, reason: gaveUp };
    }
  }
}
