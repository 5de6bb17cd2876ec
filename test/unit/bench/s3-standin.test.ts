import { createHash } from "node:crypto";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterEach, describe, expect, it } from "vitest";
import { type S3Standin, startS3Standin } from "../../../bench/standin/s3-standin.js";
import { createS3Client } from "../../../worker/src/s3/index.js";

// The bench's S3 stand-in (not an S3): the product's own S3 client reads and writes it as
// `work` does for a small object, and it refuses what S3 would refuse.
describe("bench stand-in for S3 GET and PUT", () => {
  let standin: S3Standin | undefined;
  let client: S3Client | undefined;
  afterEach(async () => {
    client?.destroy();
    await standin?.close();
  });
  const seeded = Buffer.alloc(1024, 7);
  const md5 = (b: Buffer) => createHash("md5").update(b).digest();
  const start = async () => {
    standin = await startS3Standin({ seed: (bucket) => (bucket === "src" ? seeded : undefined) });
    client = await createS3Client(
      { endpoint: standin.endpoint, region: "us-east-1", credentials: "default" },
      { credentials: { accessKeyId: "x", secretAccessKey: "y" }, maxAttempts: 1 },
    );
    return { standin, client };
  };

  it("serves the seed, stores a PUT whose Content-MD5 matches and serves it back", async () => {
    const { standin, client } = await start();
    const got = await client.send(new GetObjectCommand({ Bucket: "src", Key: "k/1" }));
    const body = Buffer.from(
      await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
    );
    expect(body.equals(seeded)).toBe(true);
    expect(got.ETag).toBe(`"${md5(seeded).toString("hex")}"`);

    const data = Buffer.from("copied bytes");
    const put = await client.send(
      new PutObjectCommand({
        Bucket: "dst",
        Key: "k/1",
        Body: data,
        ContentMD5: md5(data).toString("base64"),
      }),
    );
    expect(put.ETag).toBe(`"${md5(data).toString("hex")}"`);
    expect(standin.stored().get("dst/k/1")?.equals(data)).toBe(true);
    const back = await client.send(new GetObjectCommand({ Bucket: "dst", Key: "k/1" }));
    expect(await back.Body?.transformToString()).toBe("copied bytes");
    expect(standin.requests()).toEqual({ GET: 2, PUT: 1 });
    expect(standin.unknown()).toEqual([]);
  });

  it("refuses a body that does not match its Content-MD5, has no unseeded object, and lists what it does not serve", async () => {
    const { standin, client } = await start();
    await expect(
      client.send(
        new PutObjectCommand({
          Bucket: "dst",
          Key: "k/2",
          Body: Buffer.from("bytes"),
          ContentMD5: md5(Buffer.from("other")).toString("base64"),
        }),
      ),
    ).rejects.toMatchObject({ name: "BadDigest" });
    expect(standin.stored().size).toBe(0);
    await expect(client.send(new GetObjectCommand({ Bucket: "dst", Key: "nothing" }))).rejects.toMatchObject({
      name: "NoSuchKey",
    });
    await expect(client.send(new ListObjectsV2Command({ Bucket: "src" }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 501 },
    });
    expect(standin.unknown()).toEqual(["GET ?list-type=2"]);
  });
});
