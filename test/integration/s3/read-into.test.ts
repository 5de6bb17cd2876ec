import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { readIntoOptions, s3ErrorCode, s3HttpStatus } from "../../../worker/src/s3/index.js";
import { startConnectionRelay } from "../../support/connection-relay.js";
import { bufferSink } from "../../support/read-into.js";
import { clientFor, freshBucket, KiB, putObject, randomData } from "../transfer/helpers.js";

const { global } = inject("emulator");

describe("GetObject read straight into a buffer, against the emulator", () => {
  let s3: S3Client;
  let Bucket: string;
  const data = randomData(300 * KiB);
  let ETag: string | undefined;

  beforeAll(async () => {
    s3 = await clientFor(global);
    Bucket = await freshBucket(s3, global, "read-into");
    ({ ETag } = await putObject(s3, { Bucket, Key: "k", Body: data }));
  });

  it("fills the target with a ranged, pinned body; the SDK output keeps its headers", async () => {
    const sink = bufferSink();
    const out = await s3.send(
      new GetObjectCommand({ Bucket, Key: "k", Range: "bytes=1000-101999", IfMatch: ETag }),
      readIntoOptions(new AbortController().signal, sink),
    );
    expect(sink.received).toBe(101_000);
    expect(sink.buffer?.equals(data.subarray(1000, 102_000))).toBe(true);
    expect(out.ContentLength).toBe(101_000);
    expect(out.ETag).toBe(ETag);
    expect(out.ContentRange).toBe(`bytes 1000-101999/${data.length}`);
    expect(await out.Body?.transformToByteArray()).toHaveLength(0);
  });

  it("turns error answers into the SDK's errors: PreconditionFailed and NoSuchKey", async () => {
    const changed = s3.send(
      new GetObjectCommand({ Bucket, Key: "k", IfMatch: '"0123456789abcdef0123456789abcdef"' }),
      readIntoOptions(new AbortController().signal, bufferSink()),
    );
    await expect(changed).rejects.toSatisfy((err) => s3HttpStatus(err) === 412);
    const missing = await s3
      .send(
        new GetObjectCommand({ Bucket, Key: "absent" }),
        readIntoOptions(new AbortController().signal, bufferSink()),
      )
      .catch((err: unknown) => err);
    expect(s3ErrorCode(missing)).toBe("NoSuchKey");
  });

  it("opens a connection per GET when the emulator answers Connection: close, each body whole", async () => {
    // moto's server (Werkzeug) closes every connection; keep-alive reuse is covered by the
    // unit tests against a server that keeps them.
    const proxy = await startConnectionRelay(new URL(global.endpoint));
    try {
      const viaProxy = await clientFor(global, proxy.endpoint);
      for (let i = 0; i < 5; i++) {
        const sink = bufferSink();
        await viaProxy.send(
          new GetObjectCommand({ Bucket, Key: "k" }),
          readIntoOptions(new AbortController().signal, sink),
        );
        expect(sink.buffer?.equals(data)).toBe(true);
      }
      expect(proxy.accepted).toBe(5);
      viaProxy.destroy();
    } finally {
      await proxy.close();
    }
  });

  it("holds at most maxSockets connections for concurrent GETs and PUTs, read path and SDK together", async () => {
    const relay = await startConnectionRelay(new URL(global.endpoint), { held: true });
    const s3Limited = await clientFor(global, relay.endpoint, { maxSockets: 3 });
    try {
      const sinks = Array.from({ length: 8 }, () => bufferSink());
      const done = Promise.all([
        ...sinks.map((sink) =>
          s3Limited.send(
            new GetObjectCommand({ Bucket, Key: "k" }),
            readIntoOptions(new AbortController().signal, sink),
          ),
        ),
        ...sinks.map((_, i) => s3Limited.send(new PutObjectCommand({ Bucket, Key: `put-${i}`, Body: data }))),
      ]);
      // Answers wait until the client holds all it may, so every request needs a connection.
      await relay.openAtOnce(3);
      relay.release();
      await done;
      expect(sinks.every((s) => s.buffer?.equals(data))).toBe(true);
      expect(relay.peak).toBe(3);
    } finally {
      s3Limited.destroy();
      await relay.close();
    }
  });
});
