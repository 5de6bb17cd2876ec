import { describe, expect, it } from "vitest";
import type { SourceObject } from "../../../worker/src/transfer/context.js";
import { type DestinationObject, identicalBy } from "../../../worker/src/transfer/destination.js";
import { destinationEtagIsMd5 } from "../../../worker/src/transfer/destination-etag.js";
import { provenanceKeys } from "../../../worker/src/transfer/metadata.js";
import { encryptionFields } from "../../../worker/src/transfer/write-fields.js";

const keyId = "arn:aws-cn:kms:cn-north-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const etag = "0123456789abcdef0123456789abcdef";

const source = (over: Partial<SourceObject> = {}): SourceObject => ({
  size: 10,
  etag,
  versionId: undefined,
  lastModified: undefined,
  serverSideEncryption: undefined,
  etagIsContentMd5: true,
  checksum: undefined,
  checksumAsked: false,
  partsCount: undefined,
  head: {} as SourceObject["head"],
  ...over,
});

const dest = (over: Partial<DestinationObject> = {}): DestinationObject => ({
  size: 10,
  etag,
  metadata: {},
  etagIsContentMd5: true,
  ...over,
});

describe("encryptionFields", () => {
  it("asks for nothing without encryption, AES256 for SSE-S3, aws:kms with the key (and the bucket key when set) for SSE-KMS", () => {
    expect(encryptionFields(undefined)).toEqual({});
    expect(encryptionFields({ type: "SSE-S3" })).toEqual({ ServerSideEncryption: "AES256" });
    expect(encryptionFields({ type: "SSE-KMS", keyId })).toEqual({
      ServerSideEncryption: "aws:kms",
      SSEKMSKeyId: keyId,
    });
    expect(encryptionFields({ type: "SSE-KMS", keyId, bucketKey: false })).toEqual({
      ServerSideEncryption: "aws:kms",
      SSEKMSKeyId: keyId,
      BucketKeyEnabled: false,
    });
  });
});

describe("destinationEtagIsMd5", () => {
  it("is false whenever the migration asks for SSE-KMS, whatever the answer says", () => {
    expect(destinationEtagIsMd5({ type: "SSE-KMS", keyId }, {})).toBe(false);
    expect(destinationEtagIsMd5({ type: "SSE-KMS", keyId }, { ServerSideEncryption: "AES256" })).toBe(false);
  });

  it("otherwise follows the answer: SSE-KMS, DSSE-KMS and SSE-C ETags are not MD5s", () => {
    expect(destinationEtagIsMd5(undefined, {})).toBe(true);
    expect(destinationEtagIsMd5({ type: "SSE-S3" }, { ServerSideEncryption: "AES256" })).toBe(true);
    expect(destinationEtagIsMd5(undefined, { ServerSideEncryption: "aws:kms" })).toBe(false);
    expect(destinationEtagIsMd5(undefined, { ServerSideEncryption: "aws:kms:dsse" })).toBe(false);
    expect(destinationEtagIsMd5(undefined, { SSECustomerAlgorithm: "AES256" })).toBe(false);
  });
});

describe("identicalBy with an SSE-KMS destination", () => {
  it("never takes an equal ETag as proof when the destination's ETag is no MD5", () => {
    expect(identicalBy(source(), dest())).toBe("etag");
    expect(identicalBy(source(), dest({ etagIsContentMd5: false }))).toBeUndefined();
  });

  it("finds it identical by provenance and size", () => {
    const kmsCopy = dest({
      etag: "ffffffffffffffffffffffffffffffff",
      etagIsContentMd5: false,
      metadata: { [provenanceKeys.etag]: etag },
    });
    expect(identicalBy(source(), kmsCopy)).toBe("provenance");
    expect(identicalBy(source(), { ...kmsCopy, size: 11 })).toBeUndefined();
    expect(identicalBy(source({ etag: "another" }), kmsCopy)).toBeUndefined();
  });
});
