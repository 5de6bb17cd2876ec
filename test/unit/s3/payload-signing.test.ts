import { once } from "node:events";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { afterEach, describe, expect, it } from "vitest";
import { createS3Client } from "../../../worker/src/s3/index.js";

const emptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/** A loopback server that answers every request 200 and keeps the request headers. */
async function recordingServer(): Promise<{ server: Server; endpoint: string; seen: IncomingHttpHeaders[] }> {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { ETag: '"0"' });
      res.end();
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

describe("request signing of bodies", () => {
  let server: Server | undefined;
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  afterEach(() => {
    server?.close();
    process.env.AWS_ACCESS_KEY_ID = saved.id;
    process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
    if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
  });

  it("does not hash a body that carries Content-MD5, and signs other bodies' SHA-256", async () => {
    const rec = await recordingServer();
    server = rec.server;
    process.env.AWS_ACCESS_KEY_ID = "AKIDPAYLOADTEST";
    process.env.AWS_SECRET_ACCESS_KEY = "payloadTestSecret";
    const s3 = await createS3Client(
      { region: "us-east-1", endpoint: rec.endpoint, credentials: "default" },
      { maxAttempts: 1 },
    );
    const body = Buffer.from("hello");
    await s3.send(
      new PutObjectCommand({
        Bucket: "b",
        Key: "with-md5",
        Body: body,
        ContentMD5: "XUFAKrxLKna5cZ2REBfFkg==",
      }),
    );
    await s3.send(new PutObjectCommand({ Bucket: "b", Key: "without-md5", Body: Buffer.alloc(0) }));
    s3.destroy();

    expect(rec.seen[0]?.["content-md5"]).toBe("XUFAKrxLKna5cZ2REBfFkg==");
    expect(rec.seen[0]?.["x-amz-content-sha256"]).toBe("UNSIGNED-PAYLOAD");
    expect(rec.seen[0]?.authorization).toContain("x-amz-content-sha256");
    expect(rec.seen[1]?.["x-amz-content-sha256"]).toBe(emptySha256);
  });
});
