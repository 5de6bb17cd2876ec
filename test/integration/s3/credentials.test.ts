import { CreateBucketCommand, ListBucketsCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { PutParameterCommand } from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createLogger } from "../../../worker/src/log/index.js";
import { CredentialsError, createS3Client, credentialsFromSsm } from "../../../worker/src/s3/index.js";
import { copyObject } from "../../../worker/src/transfer/index.js";
import { type AuthEnforcedEmulator, startAuthEnforcedEmulator } from "../../emulator/auth-instance.js";
import { ssmFor, uniqueBucket } from "../../emulator/clients.js";
import { keyGuardStats } from "../../emulator/key-guard.js";
import { type FaultProxy, startFaultProxy } from "../../support/fault-proxy.js";
import {
  clientFor,
  freshBucket,
  getBytes,
  jobFor,
  putObject,
  randomData,
  sha256,
} from "../transfer/helpers.js";

const { global, china } = inject("emulator");
const ssm = ssmFor(global);
const planted = "PLANTED-SECRET-do-not-leak-0123456789";

async function putParameter(value: string): Promise<string> {
  const Name = `/longbow-test/${uniqueBucket("cred")}`;
  await ssm.send(new PutParameterCommand({ Name, Value: value, Type: "SecureString" }));
  return Name;
}

function capturedLogger() {
  const lines: string[] = [];
  return {
    lines,
    logger: createLogger({ level: "trace", destination: { write: (s: string) => void lines.push(s) } }),
  };
}

describe("credentials from an SSM SecureString parameter", () => {
  it("builds a client that signs with the parameter's key (the china key guard lets it through)", async () => {
    const name = await putParameter(
      JSON.stringify({
        aws_access_key_id: china.accessKeyId,
        aws_secret_access_key: china.secretAccessKey,
        region: china.region,
      }),
    );
    const s3 = await createS3Client(
      { region: china.region, endpoint: china.endpoint, credentials: { ssmParameter: name } },
      { ssmClientFactory: () => ssm },
    );
    await s3.send(new ListBucketsCommand({}));
    const stats = await keyGuardStats(china.endpoint);
    expect(stats.accepted[china.accessKeyId]).toBeGreaterThan(0);
    expect(Object.keys(stats.accepted)).toEqual([china.accessKeyId]);
  });

  it("copies global -> china with SSM credentials on one side and never logs the secret", async () => {
    // The secret of the china side is the planted one: the guard checks only the key id.
    const name = await putParameter(
      JSON.stringify({
        aws_access_key_id: china.accessKeyId,
        aws_secret_access_key: planted,
        region: china.region,
      }),
    );
    const destination = await createS3Client(
      { region: china.region, endpoint: china.endpoint, credentials: { ssmParameter: name } },
      { ssmClientFactory: () => ssm },
    );
    const source = await clientFor(global);
    const srcBucket = await freshBucket(source, global, "ssm");
    const destBucket = await freshBucket(destination, china, "ssm");
    const data = randomData(10_000);
    await putObject(source, { Bucket: srcBucket, Key: "a.bin", Body: data });
    const { lines, logger } = capturedLogger();
    const result = await copyObject(jobFor(srcBucket, "a.bin", destBucket), { source, destination, logger });
    expect(result.status).toBe("copied");
    expect(sha256(await getBytes(destination, destBucket, "a.bin"))).toBe(sha256(data));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join("\n")).not.toContain(planted);
    expect(JSON.stringify(result)).not.toContain(planted);
  });

  it("names the parameter but never echoes its value when it is not valid JSON", async () => {
    const name = await putParameter(`{"aws_access_key_id": "AKIDX", "aws_secret_access_key": "${planted}"`);
    const err = await credentialsFromSsm(name, { ssm }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CredentialsError);
    const e = err as CredentialsError;
    expect(e.message).toContain(name);
    expect(e.message).toContain("not valid JSON");
    expect(`${e.message} ${e.stack} ${JSON.stringify(e)} ${String(e.cause)}`).not.toContain(planted);
  });

  it("names the missing field and the missing parameter", async () => {
    const name = await putParameter(JSON.stringify({ aws_access_key_id: "AKIDX", region: "cn-north-1" }));
    await expect(credentialsFromSsm(name, { ssm })).rejects.toThrow(
      `SSM parameter '${name}' lacks aws_secret_access_key`,
    );
    await expect(credentialsFromSsm("/longbow-test/absent", { ssm })).rejects.toThrow(
      "SSM parameter '/longbow-test/absent' does not exist",
    );
  });
});

describe("credential failures against an auth-enforced endpoint", () => {
  let auth: AuthEnforcedEmulator;
  let proxy: FaultProxy;
  const bucket = "auth-bucket";
  beforeAll(async () => {
    auth = await startAuthEnforcedEmulator();
    proxy = await startFaultProxy({ target: auth.server.endpoint });
    const good = new S3Client({
      endpoint: auth.server.endpoint,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: auth.accessKeyId, secretAccessKey: auth.secretAccessKey },
    });
    await good.send(new CreateBucketCommand({ Bucket: bucket }));
    await good.send(new PutObjectCommand({ Bucket: bucket, Key: "object.bin", Body: "x".repeat(1000) }));
  });
  afterAll(async () => {
    await proxy?.close();
    await auth?.server.stop();
  });

  const authClient = (accessKeyId: string, secretAccessKey: string) =>
    createS3Client(
      { region: "us-east-1", endpoint: proxy.endpoint, credentials: "default" },
      { credentials: { accessKeyId, secretAccessKey } },
    );

  it("fails at once with a message naming the endpoint and bucket when the source secret is wrong", async () => {
    const source = await authClient(auth.accessKeyId, planted);
    const destination = await clientFor(china);
    const destBucket = await freshBucket(destination, china, "auth");
    const { lines, logger } = capturedLogger();
    const before = proxy.requests.length;
    const result = await copyObject(jobFor(bucket, "object.bin", destBucket), {
      source,
      destination,
      sourceLabel: "global (us-east-1)",
      logger,
    });
    expect(result).toMatchObject({
      status: "failed",
      errorCode: "SignatureDoesNotMatch",
      retryable: false,
      bytes: 0,
    });
    expect(result.error).toContain("global (us-east-1)");
    expect(result.error).toContain(`'${bucket}'`);
    // the HEAD, and one ranged GET asking for the error code a bodiless 403 lacks
    expect(proxy.requests.length - before).toBe(2);
    expect(`${result.error}\n${lines.join("\n")}`).not.toContain(planted);
  });

  it("fails at once naming the destination when its access key is unknown", async () => {
    const source = await clientFor(global);
    const srcBucket = await freshBucket(source, global, "auth");
    await putObject(source, { Bucket: srcBucket, Key: "object.bin", Body: "y".repeat(100) });
    const destination = await authClient("AKIDUNKNOWN000000000", planted);
    const result = await copyObject(jobFor(srcBucket, "object.bin", bucket), {
      source,
      destination,
      destinationLabel: "china (cn-northwest-1)",
    });
    expect(result).toMatchObject({ status: "failed", errorCode: "InvalidAccessKeyId", retryable: false });
    expect(result.error).toContain("china (cn-northwest-1)");
    expect(result.error).toContain(`'${bucket}'`);
    expect(result.error).not.toContain(planted);
  });
});
