import { ListMultipartUploadsCommand, ListPartsCommand, type S3Client } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { silentLogger } from "../../../worker/src/log/index.js";
import type { CopyContext, SourceObject } from "../../../worker/src/transfer/context.js";
import { resolveCopyOptions } from "../../../worker/src/transfer/index.js";
import { ownPlan } from "../../../worker/src/transfer/part-plan.js";
import { findResumableUpload, lookUpResume } from "../../../worker/src/transfer/resume.js";

const KiB = 1024;
const key = "data/object.bin";
const lastModified = new Date("2026-01-01T10:00:00Z");
const at = (seconds: number) => new Date(lastModified.getTime() + seconds * 1000);

/** A destination that answers ListMultipartUploads and ListParts in pages of two, recording calls. */
function fakeDestination(
  uploads: { Key: string; UploadId: string; Initiated: Date }[],
  parts: Record<string, { PartNumber: number; Size: number; ETag: string }[]>,
) {
  const calls: string[] = [];
  const client = {
    send: async (cmd: unknown) => {
      if (cmd instanceof ListMultipartUploadsCommand) {
        const start = Number(cmd.input.KeyMarker ?? 0);
        calls.push(`uploads@${start}`);
        const page = uploads.slice(start, start + 2);
        const more = start + 2 < uploads.length;
        return {
          Uploads: page,
          IsTruncated: more,
          NextKeyMarker: more ? String(start + 2) : undefined,
          NextUploadIdMarker: more ? "x" : undefined,
        };
      }
      if (cmd instanceof ListPartsCommand) {
        const list = parts[cmd.input.UploadId ?? ""] ?? [];
        const start = Number(cmd.input.PartNumberMarker ?? 0);
        calls.push(`parts@${start}`);
        const page = list.slice(start, start + 2);
        const more = start + 2 < list.length;
        return { Parts: page, IsTruncated: more, NextPartNumberMarker: more ? String(start + 2) : undefined };
      }
      throw new Error(`unexpected command ${String(cmd)}`);
    },
  } as unknown as S3Client;
  return { client, calls };
}

function context(destination: S3Client): CopyContext {
  const signal = new AbortController().signal;
  return {
    job: { migration: "m", source: { bucket: "src", key }, destination: { bucket: "dst", key } },
    o: resolveCopyOptions({ source: destination, destination, minPartSize: 64 * KiB, listPageSize: 2 }),
    signal,
    retry: { maxAttempts: 1, baseDelayMs: 0, signal, logger: silentLogger, onProgress: () => {} },
    moved: { bytes: 0 },
    retried: { requests: 0 },
  };
}

const source = { size: 5 * 100 * KiB - 10, etag: "e", lastModified } as SourceObject;
const plan = ownPlan({ size: source.size, fixedPartSize: 100 * KiB, minPartSize: 64 * KiB });

describe("finding an upload to resume without a resume store", () => {
  it("takes the newest upload on the exact key begun after the source was written, across pages", async () => {
    const { client, calls } = fakeDestination(
      [
        { Key: key, UploadId: "too-old", Initiated: at(0.5) },
        { Key: `${key}.other`, UploadId: "other-key", Initiated: at(100) },
        { Key: key, UploadId: "older-fit", Initiated: at(5) },
        { Key: key, UploadId: "newest-fit", Initiated: at(50) },
      ],
      {
        "newest-fit": [
          { PartNumber: 1, Size: 100 * KiB, ETag: '"a"' },
          { PartNumber: 2, Size: 64 * KiB, ETag: '"b"' },
          { PartNumber: 3, Size: 100 * KiB, ETag: '"c"' },
          { PartNumber: 5, Size: 100 * KiB - 10, ETag: '"d"' },
          { PartNumber: 6, Size: 100 * KiB, ETag: '"e"' },
        ],
      },
    );
    const found = await findResumableUpload(context(client), source, plan);
    expect(found?.uploadId).toBe("newest-fit");
    // part 2 has another size, part 6 is beyond the plan: both re-sent / ignored
    expect([...(found?.kept.entries() ?? [])]).toEqual([
      [1, "a"],
      [3, "c"],
      [5, "d"],
    ]);
    expect(calls).toEqual(["uploads@0", "uploads@2", "parts@0", "parts@2", "parts@4"]);
  });

  it("resumes nothing when every upload on the key may predate the source's last write", async () => {
    const { client } = fakeDestination([{ Key: key, UploadId: "stale", Initiated: at(0.9) }], {});
    expect(await findResumableUpload(context(client), source, plan)).toBeUndefined();
  });

  it("uses a lookup started before the source was known, listing the key once", async () => {
    const { client, calls } = fakeDestination(
      [
        { Key: key, UploadId: "too-old", Initiated: at(0.5) },
        { Key: key, UploadId: "fit", Initiated: at(5) },
      ],
      { fit: [{ PartNumber: 1, Size: 100 * KiB, ETag: '"a"' }] },
    );
    const ctx = context(client);
    const early = lookUpResume(ctx);
    await early;
    expect(calls).toEqual(["uploads@0"]);
    const found = await findResumableUpload(ctx, source, plan, early);
    expect(found?.uploadId).toBe("fit");
    expect(calls).toEqual(["uploads@0", "parts@0"]);
  });

  it("does not list the key when the resume store holds the upload", async () => {
    const { client, calls } = fakeDestination([{ Key: key, UploadId: "listed", Initiated: at(5) }], {
      stored: [{ PartNumber: 1, Size: 100 * KiB, ETag: '"a"' }],
    });
    const ctx = context(client);
    const point = { uploadId: "stored", partSize: 100 * KiB, sourceEtag: source.etag };
    ctx.o = {
      ...ctx.o,
      resumeStore: { load: async () => point, save: async () => {}, clear: async () => {} },
    };
    const found = await findResumableUpload(ctx, source, plan, lookUpResume(ctx));
    expect(found?.uploadId).toBe("stored");
    expect(calls).toEqual(["parts@0"]);
  });
});
