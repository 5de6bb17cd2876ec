import { createHash } from "node:crypto";

/** Hex MD5 of a buffer, as S3 reports it in a single-part ETag. */
export function md5Hex(data: Uint8Array): string {
  return createHash("md5").update(data).digest("hex");
}

/** The ETag S3 gives a completed multipart upload: MD5 of the parts' binary MD5s, then `-N`. */
export function multipartEtag(partEtags: readonly string[]): string {
  const h = createHash("md5");
  for (const etag of partEtags) h.update(Buffer.from(etag, "hex"));
  return `${h.digest("hex")}-${partEtags.length}`;
}

/** ETag without the surrounding quotes S3 puts on it. */
export function unquote(etag: string | undefined): string | undefined {
  return etag?.replace(/^"+|"+$/g, "");
}

/** Parts count of a multipart ETag (`...-N`), or undefined for a single-part one. */
export function etagPartsCount(etag: string): number | undefined {
  const m = /-(\d{1,9})$/.exec(etag);
  return m ? Number(m[1]) : undefined;
}

/** True when the ETag has the form of a plain MD5 (what a single PUT without SSE-KMS/SSE-C gets). */
export function isPlainMd5(etag: string): boolean {
  return /^[0-9a-f]{32}$/.test(etag);
}

/** True when the ETag has the form of a multipart upload's md5-of-md5s (`<md5>-N`). */
export function isMultipartMd5(etag: string): boolean {
  return /^[0-9a-f]{32}-\d{1,5}$/.test(etag);
}
