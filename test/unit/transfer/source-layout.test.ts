import { HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { silentLogger } from "../../../worker/src/log/index.js";
import type { CopyContext, SourceObject } from "../../../worker/src/transfer/context.js";
import { resolveCopyOptions } from "../../../worker/src/transfer/index.js";
import { readSourceLayout } from "../../../worker/src/transfer/source-layout.js";

/** A source that answers HeadObject(PartNumber) from a list of part sizes, recording the parts asked for. */
function partSource(sizes: number[]) {
  const asked: number[] = [];
  const client = {
    send: async (cmd: unknown) => {
      if (!(cmd instanceof HeadObjectCommand) || cmd.input.PartNumber === undefined)
        throw new Error("unexpected");
      asked.push(cmd.input.PartNumber);
      return { ContentLength: sizes[cmd.input.PartNumber - 1], $metadata: { attempts: 1 } };
    },
  } as unknown as S3Client;
  return { client, asked };
}

function contextFor(client: S3Client): CopyContext {
  const signal = new AbortController().signal;
  return {
    job: { migration: "m", source: { bucket: "b", key: "k" }, destination: { bucket: "d", key: "k" } },
    o: resolveCopyOptions({ source: client, destination: client }),
    signal,
    retry: { maxAttempts: 1, baseDelayMs: 0, signal, logger: silentLogger, onProgress: () => {} },
    moved: { bytes: 0 },
    retried: { requests: 0 },
  };
}

const source = (sizes: number[]) =>
  ({
    size: sizes.reduce((a, b) => a + b, 0),
    partsCount: sizes.length,
    etag: `x-${sizes.length}`,
  }) as SourceObject;

describe("reading a multipart source's layout", () => {
  it("asks for the first and last part only when they fit a uniform cut", async () => {
    const sizes = [8, 8, 8, 8, 3];
    const { client, asked } = partSource(sizes);
    const found = await readSourceLayout(contextFor(client), source(sizes), { exact: false });
    expect(found).toEqual({
      layout: [
        [8, 4],
        [3, 1],
      ],
      exact: false,
    });
    expect(asked.sort()).toEqual([1, 5]);
  });

  it("asks for every part when the first and last do not fit a uniform cut", async () => {
    const sizes = [5, 10, 10];
    const { client, asked } = partSource(sizes);
    const found = await readSourceLayout(contextFor(client), source(sizes), { exact: false });
    expect(found).toEqual({
      layout: [
        [5, 1],
        [10, 2],
      ],
      exact: true,
    });
    expect(asked.sort()).toEqual([1, 2, 3]);
  });

  it("asks for every part when told to, even where a uniform guess would fit", async () => {
    const sizes = [7, 5, 9, 3];
    const { client, asked } = partSource(sizes);
    const found = await readSourceLayout(contextFor(client), source(sizes), { exact: true });
    expect(found).toEqual({
      layout: [
        [7, 1],
        [5, 1],
        [9, 1],
        [3, 1],
      ],
      exact: true,
    });
    expect(asked.sort()).toEqual([1, 2, 3, 4]);
  });

  it("reports a source whose parts do not add up as changed", async () => {
    const { client } = partSource([5, 10, 10]);
    await expect(
      readSourceLayout(contextFor(client), { ...source([5, 10, 10]), size: 26 }, { exact: true }),
    ).rejects.toMatchObject({ code: "SourceChanged" });
  });
});
