import {
  AbortMultipartUploadCommand,
  ListMultipartUploadsCommand,
  type ListMultipartUploadsCommandOutput,
  type S3Client,
} from "@aws-sdk/client-s3";
import { type Migration, sourceKeyOf } from "../config/index.js";
import type { Ledger, LedgerItem } from "../ledger/index.js";
import type { Logger } from "../log/index.js";

/** What a sweep of a migration's unfinished uploads did. */
export interface UploadSweep {
  /** Unfinished uploads that no job will ever resume, aborted. */
  aborted: number;
  /** Unfinished uploads kept: an object still pending or failed (resumable) holds them. */
  kept: number;
}

/**
 * True when no copy can still use an upload on this object's key: the object is done or
 * skipped. Uploads of pending objects are kept however they look (a worker may have just
 * created one and not yet recorded it; superseded ones are aborted by the worker that
 * supersedes them), and so are those of failed objects, which the next compare queues
 * again with their parts. Keys the ledger does not know are not Longbow's to touch.
 */
function isOrphan(item: LedgerItem | undefined): boolean {
  return item?.status === "done" || item?.status === "skipped";
}

/**
 * Aborts the unfinished multipart uploads under a migration's destination prefix that no
 * job will resume (see {@link isOrphan}), so a finished migration leaves none behind. Run
 * after a compare has queued its jobs; a lifecycle rule is still the net for uploads of
 * objects whose ledger items are gone.
 */
export async function abortOrphanUploads(options: {
  migration: Migration;
  destination: S3Client;
  ledger: Ledger;
  logger: Logger;
  signal?: AbortSignal;
}): Promise<UploadSweep> {
  const { migration: m, destination, ledger, logger, signal } = options;
  const sweep: UploadSweep = { aborted: 0, kept: 0 };
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  for (;;) {
    const page: ListMultipartUploadsCommandOutput = await destination.send(
      new ListMultipartUploadsCommand({
        Bucket: m.destination.bucket,
        Prefix: m.destination.prefix,
        KeyMarker: keyMarker,
        UploadIdMarker: uploadIdMarker,
      }),
      { abortSignal: signal },
    );
    const uploads = (page.Uploads ?? []).flatMap((u) => {
      const sourceKey = u.Key === undefined ? undefined : sourceKeyOf(m, u.Key);
      return u.Key !== undefined && u.UploadId !== undefined && sourceKey !== undefined
        ? [{ key: u.Key, uploadId: u.UploadId, sourceKey }]
        : [];
    });
    const items = await ledger.items(m.name, [...new Set(uploads.map((u) => u.sourceKey))], signal);
    for (const u of uploads) {
      if (!isOrphan(items.get(u.sourceKey))) {
        sweep.kept++;
        continue;
      }
      await destination.send(
        new AbortMultipartUploadCommand({ Bucket: m.destination.bucket, Key: u.key, UploadId: u.uploadId }),
        { abortSignal: signal },
      );
      sweep.aborted++;
      logger.info(
        { migration: m.name, key: u.key, uploadId: u.uploadId },
        "unfinished upload no job will resume; aborted",
      );
    }
    if (!page.IsTruncated) return sweep;
    keyMarker = page.NextKeyMarker;
    uploadIdMarker = page.NextUploadIdMarker;
    if (keyMarker === undefined && uploadIdMarker === undefined) return sweep;
  }
}
