import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { HeadBucketCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createS3Client, EndpointUnreachableError } from "../../../worker/src/s3/index.js";

// An S3 stand-in whose answers come after `delayMs` (set per test); it counts requests.
let server: Server;
let endpoint: string;
let delayMs = 0;
let requests = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests++;
    req.resume();
    setTimeout(() => res.writeHead(200, { "content-length": "0" }).end(), delayMs);
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

const client = () =>
  createS3Client(
    { region: "us-east-1", endpoint, credentials: "default" },
    {
      credentials: { accessKeyId: "AKID", secretAccessKey: "secret" },
      firstByteTimeoutMs: 300,
      socketTimeoutMs: 5_000,
    },
  );

describe("the endpoint watch", () => {
  it("judges silence by the first-byte timeout until the endpoint answers, then by the idle timeout", async () => {
    const s3 = await client();
    delayMs = 0;
    await s3.send(new HeadBucketCommand({ Bucket: "b" }));
    // answered once: a 700 ms pause is a stall worth waiting out, not a dead endpoint
    delayMs = 700;
    requests = 0;
    await s3.send(new HeadBucketCommand({ Bucket: "b" }));
    expect(requests).toBe(1);
    s3.destroy();
  });

  it("gives a never-answering endpoint three attempts and names it", async () => {
    const s3 = await client();
    delayMs = 700;
    requests = 0;
    const err = await s3.send(new HeadBucketCommand({ Bucket: "b" })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EndpointUnreachableError);
    expect((err as Error).message).toBe(
      `S3 endpoint ${endpoint} (us-east-1) accepted the connection but sent no answer within 0.3 s (first-byte timeout, LONGBOW_FIRST_BYTE_TIMEOUT_MS); gave up after 3 attempts`,
    );
    expect(requests).toBe(3);
    s3.destroy();
  });
});
