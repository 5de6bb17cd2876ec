import { HeadObjectCommand, PutBucketVersioningCommand } from "@aws-sdk/client-s3";
import { describe, expect, inject, it } from "vitest";
import { copyObject, provenanceKeys, type TransferEvent } from "../../../worker/src/transfer/index.js";
import { corruptNth, type FaultProxy, type SeenRequest } from "../../support/fault-proxy.js";
import {
  freshBucket,
  getBytes,
  jobFor,
  KiB,
  MiB,
  putObject,
  randomData,
  sha256,
  twoSides,
} from "./helpers.js";

const { global, china } = inject("emulator");

const isGet = (r: SeenRequest) => r.method === "GET";
const ops = (p: FaultProxy) => p.requests.map((r) => r.method);

/**
 * Jobs from a listing carry the object's size: a small one is copied with one GET and one
 * PUT, described by the GET's own headers, with no HEAD on either side.
 */
describe("a small object whose size the job carries", () => {
  const sides = twoSides("listed", global, china);
  const { proxied } = sides;

  it("is copied with exactly one GET and one PUT, metadata and provenance included", async () => {
    const body = randomData(64 * KiB);
    const put = await putObject(sides.direct.source, {
      Bucket: sides.srcBucket,
      Key: "one/small.bin",
      Body: body,
      ContentType: "application/x-test",
      CacheControl: "max-age=60",
      Metadata: { owner: "team-a" },
    });
    const src = await proxied(global);
    const dst = await proxied(china);
    const result = await copyObject(
      jobFor(sides.srcBucket, "one/small.bin", sides.destBucket, "one/small.bin", { size: body.length }),
      { source: src.client, destination: dst.client },
    );
    expect(result).toMatchObject({ status: "copied", bytes: body.length, partsTotal: 1 });
    expect(result.sourceEtag).toBe(put.ETag?.replaceAll('"', ""));
    expect(ops(src.proxy)).toEqual(["GET"]);
    expect(ops(dst.proxy)).toEqual(["PUT"]);
    expect(sha256(await getBytes(sides.direct.destination, sides.destBucket, "one/small.bin"))).toBe(
      sha256(body),
    );
    const head = await sides.direct.destination.send(
      new HeadObjectCommand({ Bucket: sides.destBucket, Key: "one/small.bin" }),
    );
    expect(head.ContentType).toBe("application/x-test");
    expect(head.CacheControl).toBe("max-age=60");
    expect(head.Metadata).toMatchObject({ owner: "team-a", [provenanceKeys.etag]: result.sourceEtag });
  });

  it("when redelivered, HEADs the destination first and finds a finished copy identical", async () => {
    const body = randomData(3 * KiB);
    await putObject(sides.direct.source, { Bucket: sides.srcBucket, Key: "again.bin", Body: body });
    const job = jobFor(sides.srcBucket, "again.bin", sides.destBucket, "again.bin", { size: body.length });
    const options = { source: sides.direct.source, destination: sides.direct.destination };
    expect(await copyObject(job, options)).toMatchObject({ status: "copied" });
    const dst = await proxied(china);
    const again = await copyObject(job, { ...options, destination: dst.client, redelivered: true });
    expect(again).toMatchObject({ status: "identical", bytes: 0 });
    expect(ops(dst.proxy)).toEqual(["HEAD"]);
  });

  it("copies a zero-byte object the same way", async () => {
    await putObject(sides.direct.source, { Bucket: sides.srcBucket, Key: "empty", Body: new Uint8Array() });
    const src = await proxied(global);
    const result = await copyObject(
      jobFor(sides.srcBucket, "empty", sides.destBucket, "empty", { size: 0 }),
      {
        source: src.client,
        destination: sides.direct.destination,
      },
    );
    expect(result).toMatchObject({ status: "copied", bytes: 0 });
    expect(ops(src.proxy)).toEqual(["GET"]);
    expect((await getBytes(sides.direct.destination, sides.destBucket, "empty")).length).toBe(0);
  });

  it("catches a byte corrupted on the way and copies again", async () => {
    const body = randomData(100 * KiB);
    await putObject(sides.direct.source, { Bucket: sides.srcBucket, Key: "corrupt.bin", Body: body });
    const src = await proxied(global, { fault: corruptNth(1, isGet) });
    const events: TransferEvent[] = [];
    const result = await copyObject(
      jobFor(sides.srcBucket, "corrupt.bin", sides.destBucket, "corrupt.bin", { size: body.length }),
      { source: src.client, destination: sides.direct.destination, onProgress: (e) => events.push(e) },
    );
    expect(result).toMatchObject({ status: "copied" });
    expect(src.proxy.injected.corrupt).toBe(1);
    expect(events.filter((e) => e.type === "retried")).toMatchObject([{ code: "IntegrityMismatch" }]);
    expect(events.filter((e) => e.type === "copy_planned")).toHaveLength(1);
    expect(ops(src.proxy)).toEqual(["GET", "GET"]);
    expect(sha256(await getBytes(sides.direct.destination, sides.destBucket, "corrupt.bin"))).toBe(
      sha256(body),
    );
  });

  it("copies an object that grew past the threshold since its listing in parts, the long way", async () => {
    const body = randomData(6 * MiB + 3);
    await putObject(sides.direct.source, { Bucket: sides.srcBucket, Key: "grew.bin", Body: body });
    const src = await proxied(global);
    const result = await copyObject(
      jobFor(sides.srcBucket, "grew.bin", sides.destBucket, "grew.bin", { size: 10 }),
      {
        source: src.client,
        destination: sides.direct.destination,
        settings: { multipartThreshold: 5 * MiB, partSize: 5 * MiB },
      },
    );
    expect(result).toMatchObject({ status: "copied", bytes: body.length, partsTotal: 2 });
    // the first GET is dropped once its Content-Length shows the growth; then HEAD and parts
    expect(ops(src.proxy).slice(0, 2)).toEqual(["GET", "HEAD"]);
    expect(sha256(await getBytes(sides.direct.destination, sides.destBucket, "grew.bin"))).toBe(sha256(body));
  });

  it("reports a listed object that is gone as source-missing, not retryable", async () => {
    const result = await copyObject(
      jobFor(sides.srcBucket, "gone.bin", sides.destBucket, "gone.bin", { size: 5 }),
      {
        source: sides.direct.source,
        destination: sides.direct.destination,
      },
    );
    expect(result).toMatchObject({ status: "source-missing", retryable: false });
  });

  it("copies the job's version, not the latest", async () => {
    const bucket = await freshBucket(sides.direct.source, global, "listed-v");
    await sides.direct.source.send(
      new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }),
    );
    const old = randomData(10 * KiB);
    const { VersionId } = await putObject(sides.direct.source, { Bucket: bucket, Key: "v.bin", Body: old });
    await putObject(sides.direct.source, { Bucket: bucket, Key: "v.bin", Body: randomData(20 * KiB) });
    const result = await copyObject(
      jobFor(bucket, "v.bin", sides.destBucket, "v-old.bin", {
        size: old.length,
        versionId: VersionId as string,
      }),
      { source: sides.direct.source, destination: sides.direct.destination },
    );
    expect(result).toMatchObject({ status: "copied", bytes: old.length, sourceVersionId: VersionId });
    expect(sha256(await getBytes(sides.direct.destination, sides.destBucket, "v-old.bin"))).toBe(sha256(old));
  });
});
