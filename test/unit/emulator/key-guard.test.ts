import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { accessKeyOf } from "../../emulator/key-guard.js";

const req = (url: string, authorization?: string) =>
  ({ url, headers: authorization ? { authorization } : {} }) as unknown as IncomingMessage;

describe("accessKeyOf", () => {
  it("reads the key from a SigV4 Authorization header", () => {
    expect(
      accessKeyOf(
        req(
          "/b/k",
          "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=abc",
        ),
      ),
    ).toBe("AKIDEXAMPLE");
  });

  it("reads the key from a presigned URL", () => {
    expect(
      accessKeyOf(req("/b/k?X-Amz-Credential=AKIDPRESIGN%2F20260101%2Fus-east-1%2Fs3%2Faws4_request")),
    ).toBe("AKIDPRESIGN");
  });

  it("returns undefined for an unsigned request", () => {
    expect(accessKeyOf(req("/b/k"))).toBeUndefined();
  });
});
