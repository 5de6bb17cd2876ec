import { createHash } from "node:crypto";
import { Crc32, Crc32c, Crc64Nvme } from "@aws-sdk/checksums/crc";
import type { HeadObjectCommandOutput } from "@aws-sdk/client-s3";

/** The additional checksums S3 keeps (x-amz-checksum-*). */
export type ChecksumAlgorithm = "CRC64NVME" | "CRC32" | "CRC32C" | "SHA256" | "SHA1";

/**
 * A source's additional checksum as its HEAD (ChecksumMode ENABLED) reports it. A
 * `full-object` checksum covers the whole object's bytes; a `composite` one (`<b64>-N`) is
 * the checksum of the N parts' binary checksums, so it proves bytes only when they are cut
 * at the source's own part boundaries.
 */
export interface SourceChecksum {
  algorithm: ChecksumAlgorithm;
  /** Base64 value, without the `-N` of a composite checksum. */
  value: string;
  type: "full-object" | "composite";
  /** Parts of a composite checksum. */
  partsCount?: number;
}

/** A running checksum: feed bytes in order, then read the digest once. */
export interface Digest {
  update(data: Uint8Array): void;
  digest(): Promise<Uint8Array>;
}

/** A fresh digest of `algorithm`. */
export function newDigest(algorithm: ChecksumAlgorithm): Digest {
  switch (algorithm) {
    case "CRC64NVME":
      return new Crc64Nvme();
    case "CRC32":
      return new Crc32();
    case "CRC32C":
      return new Crc32c();
    case "SHA256":
    case "SHA1": {
      const h = createHash(algorithm === "SHA256" ? "sha256" : "sha1");
      return { update: (d) => void h.update(d), digest: async () => h.digest() };
    }
  }
}

/** The digest of one buffer. */
export async function digestOf(algorithm: ChecksumAlgorithm, data: Uint8Array): Promise<Uint8Array> {
  const d = newDigest(algorithm);
  d.update(data);
  return d.digest();
}

const fields: readonly [ChecksumAlgorithm, keyof HeadObjectCommandOutput][] = [
  ["CRC64NVME", "ChecksumCRC64NVME"],
  ["CRC32C", "ChecksumCRC32C"],
  ["CRC32", "ChecksumCRC32"],
  ["SHA256", "ChecksumSHA256"],
  ["SHA1", "ChecksumSHA1"],
];

/** The additional checksum a HEAD answer carries, if any (the first of S3's fields present). */
export function checksumOfHead(head: HeadObjectCommandOutput): SourceChecksum | undefined {
  for (const [algorithm, field] of fields) {
    const raw = head[field];
    if (typeof raw !== "string" || raw === "") continue;
    const m = /^([A-Za-z0-9+/=]+)-(\d{1,5})$/.exec(raw);
    if (m) return { algorithm, value: m[1] as string, type: "composite", partsCount: Number(m[2]) };
    // S3 reports whether a multipart checksum is full-object or composite; a single PUT's is the former
    if (head.ChecksumType === "COMPOSITE") return undefined;
    return { algorithm, value: raw, type: "full-object" };
  }
  return undefined;
}

/** The composite checksum of parts with these binary checksums: `base64(alg(concat)) + -N`. */
export async function compositeOf(
  algorithm: ChecksumAlgorithm,
  parts: readonly Uint8Array[],
): Promise<string> {
  const d = newDigest(algorithm);
  for (const p of parts) d.update(p);
  return `${Buffer.from(await d.digest()).toString("base64")}-${parts.length}`;
}
