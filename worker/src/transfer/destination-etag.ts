import type { DestinationEncryption } from "../job/index.js";
import { etagIsContentMd5 } from "./read-proof.js";

/** What a write's answer (PutObject, UploadPart, CompleteMultipartUpload) says of the object's encryption. */
export interface WriteAnswer {
  ServerSideEncryption?: string | undefined;
  SSECustomerAlgorithm?: string | undefined;
}

/**
 * True when the ETag the destination returns for a write is an MD5 of the bytes (a single
 * PUT or part) or the md5-of-md5s (a completed upload), so comparing it proves what S3
 * stored. Not so for SSE-KMS: asked for by the migration (whatever the answer says: a store
 * or proxy may drop the header) or reported by the answer (the bucket's default encryption).
 */
export function destinationEtagIsMd5(asked: DestinationEncryption | undefined, answer: WriteAnswer): boolean {
  if (asked?.type === "SSE-KMS") return false;
  return etagIsContentMd5(answer.ServerSideEncryption, answer.SSECustomerAlgorithm !== undefined);
}
