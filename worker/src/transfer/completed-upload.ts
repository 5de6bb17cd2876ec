import { sleep } from "../sleep.js";
import type { CopyContext } from "./context.js";
import { headDestination } from "./destination.js";

/** HEADs tried before concluding that a vanished upload did not complete. */
const tries = 8;

/**
 * True when the destination holds the object a CompleteMultipartUpload was sent for: its
 * ETag is the md5-of-md5s of the parts named in that request, so S3 assembled exactly
 * those parts. Asked when the upload is gone (NoSuchUpload) after a Complete whose answer
 * never arrived. S3 may still be assembling a large object when the upload has already left
 * ListParts, so the HEAD is tried a few times, the waits doubling (about 25 s in all with the
 * default base delay), before the upload is taken as lost.
 */
export async function completedObject(ctx: CopyContext, expectedEtag: string): Promise<boolean> {
  for (let i = 0; ; i++) {
    const dest = await headDestination(ctx);
    if (dest?.etag === expectedEtag) return true;
    if (i + 1 >= tries) return false;
    await sleep(ctx.o.retryBaseDelayMs * 2 ** (i + 1), ctx.signal);
  }
}
