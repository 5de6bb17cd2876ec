import { describe, expect, it } from "vitest";
import { classifyS3Error, describeEndpoint } from "../../../worker/src/s3/index.js";

const sdkError = (name: string, status: number, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status }, ...extra });

describe("classifyS3Error", () => {
  it.each([
    [sdkError("NoSuchKey", 404), "not-found"],
    [sdkError("NotFound", 404), "not-found"],
    [sdkError("AccessDenied", 403), "access"],
    [sdkError("InvalidAccessKeyId", 403), "access"],
    [sdkError("SignatureDoesNotMatch", 403), "access"],
    [sdkError("PreconditionFailed", 412), "precondition"],
    [sdkError("SlowDown", 503), "transient"],
    [sdkError("InternalError", 500), "transient"],
    [Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }), "transient"],
    [sdkError("NoSuchUpload", 404), "other"],
    [sdkError("NoSuchBucket", 404), "other"],
    [Object.assign(new Error("aborted"), { name: "AbortError" }), "aborted"],
  ])("%s -> %s", (err, kind) => {
    expect(classifyS3Error(err)).toBe(kind);
  });
});

describe("describeEndpoint", () => {
  it("names AWS regions and custom endpoints without any userinfo", () => {
    expect(describeEndpoint({ region: "cn-northwest-1" })).toBe("AWS S3 cn-northwest-1");
    expect(
      describeEndpoint({ region: "us-east-1", endpoint: "https://key:secret@minio.example:9000/" }),
    ).toBe("https://minio.example:9000 (us-east-1)");
  });
});
