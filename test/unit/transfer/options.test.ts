import type { S3Client } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { resolveCopyOptions } from "../../../worker/src/transfer/index.js";

const clients = { source: {} as S3Client, destination: {} as S3Client };

describe("resolveCopyOptions", () => {
  it("applies the original's defaults", () => {
    const o = resolveCopyOptions(clients);
    expect(o.settings).toMatchObject({
      partsInParallel: 20,
      multipartThreshold: 5 * 1024 * 1024,
      maxRetries: 20,
      jobTimeoutSeconds: 3600,
    });
    expect(o.provenance).toBe(true);
    expect(o.minPartSize).toBe(5 * 1024 * 1024);
    expect(o.pool.concurrency).toBe(20);
    // 512 MiB, less 128 MiB for socket chunks the garbage collector has not freed yet
    expect(o.budget.capacity).toBe(384 * 1024 * 1024);
  });

  it("treats an undefined setting as not given, and keeps a deliberate 0", () => {
    const o = resolveCopyOptions({
      ...clients,
      settings: { partsInParallel: undefined, multipartThreshold: 0 },
    });
    expect(o.settings.partsInParallel).toBe(20);
    expect(o.settings.multipartThreshold).toBe(0);
  });

  it("names the option in its validation messages", () => {
    expect(() => resolveCopyOptions({ ...clients, settings: { partSize: 1024 } })).toThrow(
      /^settings\.partSize must be/,
    );
    expect(() => resolveCopyOptions({ ...clients, settings: { partsInParallel: 0 } })).toThrow(
      /^settings\.partsInParallel/,
    );
    expect(() => resolveCopyOptions({ ...clients, maxCopyAttempts: 0 })).toThrow(/^maxCopyAttempts/);
  });

  it("accepts a part size below 5 MiB only when the minimum is lowered", () => {
    const o = resolveCopyOptions({ ...clients, minPartSize: 64 * 1024, settings: { partSize: 256 * 1024 } });
    expect(o.settings.partSize).toBe(256 * 1024);
  });
});
