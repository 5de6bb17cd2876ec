import { CreateBucketCommand, ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AuthEnforcedEmulator, startAuthEnforcedEmulator } from "../../emulator/auth-instance.js";

describe("the auth-enforced emulator", () => {
  let auth: AuthEnforcedEmulator;
  beforeAll(async () => {
    auth = await startAuthEnforcedEmulator();
  });
  afterAll(async () => {
    await auth?.server.stop();
  });

  const client = (accessKeyId: string, secretAccessKey: string) =>
    new S3Client({
      endpoint: auth.server.endpoint,
      region: "us-east-1",
      forcePathStyle: true,
      maxAttempts: 1,
      credentials: { accessKeyId, secretAccessKey },
    });

  it("accepts a request signed with the issued key", async () => {
    const s3 = client(auth.accessKeyId, auth.secretAccessKey);
    await s3.send(new CreateBucketCommand({ Bucket: "auth-ok" }));
    const { Buckets } = await s3.send(new ListBucketsCommand({}));
    expect(Buckets?.map((b) => b.Name)).toContain("auth-ok");
  });

  it("rejects a request signed with a wrong secret", async () => {
    const s3 = client(auth.accessKeyId, `${auth.secretAccessKey.slice(0, -4)}XXXX`);
    await expect(s3.send(new ListBucketsCommand({}))).rejects.toMatchObject({
      name: "SignatureDoesNotMatch",
      $metadata: { httpStatusCode: 403 },
    });
  });

  it("rejects a request from an unknown access key", async () => {
    const s3 = client("AKIDUNKNOWN000000000", "doesNotMatterSecret000000000000000000000");
    await expect(s3.send(new ListBucketsCommand({}))).rejects.toMatchObject({
      name: "InvalidAccessKeyId",
      $metadata: { httpStatusCode: 403 },
    });
  });
});
