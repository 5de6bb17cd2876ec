import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { type ListedObject, listAll } from "./buckets.js";
import { forEachLimit } from "./limit.js";

export interface Side {
  s3: S3Client;
  bucket: string;
  prefix?: string;
}

export interface Verification {
  /** Every source object is at the destination with the same bytes. */
  identical: boolean;
  objects: number;
  /** Objects whose destination ETag equals the source's (same bytes, same part layout). */
  etagMatches: number;
  /** Objects whose full SHA-256 was compared on both sides. */
  hashed: number;
  problems: string[];
}

async function sha256Of(side: Side, key: string): Promise<string> {
  const res = await side.s3.send(new GetObjectCommand({ Bucket: side.bucket, Key: key }));
  const hash = createHash("sha256");
  for await (const chunk of res.Body as Readable) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/**
 * Checks a copy: same keys and sizes on both sides; an equal ETag proves equal bytes for
 * an object (MD5, or md5-of-md5s over the same parts); where the ETags differ (another
 * tool's part size) the whole object's SHA-256 is compared, and so it is for a sample of
 * `sample` further objects (the largest among them), whatever their ETags say.
 */
export async function verifyCopy(source: Side, destination: Side, sample = 8): Promise<Verification> {
  const [src, dst] = await Promise.all([
    listAll(source.s3, source.bucket, source.prefix),
    listAll(destination.s3, destination.bucket, destination.prefix),
  ]);
  const problems: string[] = [];
  const byKey = new Map(dst.map((o) => [o.key.slice((destination.prefix ?? "").length), o]));
  const toHash: ListedObject[] = [];
  let etagMatches = 0;
  for (const s of src) {
    const d = byKey.get(s.key.slice((source.prefix ?? "").length));
    if (!d) problems.push(`missing at destination: ${s.key}`);
    else if (d.size !== s.size) problems.push(`size differs: ${s.key} ${s.size} != ${d.size}`);
    else if (d.etag === s.etag) etagMatches++;
    else toHash.push(s);
  }
  if (dst.length !== src.length)
    problems.push(`destination holds ${dst.length} objects, source ${src.length}`);
  // evenly spaced over the size-sorted rest, so the sample spans large, small and empty
  const rest = [...src].sort((a, b) => b.size - a.size).filter((o) => !toHash.includes(o));
  const step = Math.max(1, Math.floor(rest.length / Math.max(1, sample)));
  for (let i = 0; i < rest.length && i / step < sample; i += step) toHash.push(rest[i] as ListedObject);
  await forEachLimit(toHash, 4, async (o) => {
    const rel = o.key.slice((source.prefix ?? "").length);
    if (!byKey.has(rel)) return;
    const [a, b] = await Promise.all([
      sha256Of(source, o.key),
      sha256Of(destination, (destination.prefix ?? "") + rel),
    ]);
    if (a !== b) problems.push(`content differs: ${o.key}`);
  });
  return {
    identical: problems.length === 0,
    objects: src.length,
    etagMatches,
    hashed: toHash.length,
    problems,
  };
}
