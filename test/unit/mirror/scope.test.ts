import { describe, expect, it } from "vitest";
import { normalizeMigration } from "../../../worker/src/config/index.js";
import type { Job } from "../../../worker/src/job/index.js";
import { deletionJob, deletionOutOfScope } from "../../../worker/src/mirror/index.js";

const m = normalizeMigration({
  name: "photos",
  source: { bucket: "src", prefix: "in/", region: "us-east-1" },
  destination: { bucket: "dst", prefix: "out/", region: "cn-northwest-1" },
  ignore: ["*.tmp"],
  mirror: true,
});

describe("deletion jobs and their migration", () => {
  it("a deletion job from an extra object names its source key and carries the listed ETag and size", () => {
    const job = deletionJob(m, { kind: "extra", destinationKey: "out/a b", size: 7, etag: "e1" }) as Job;
    expect(job).toEqual({
      migration: "photos",
      action: "delete",
      source: { bucket: "src", key: "in/a b" },
      destination: { bucket: "dst", key: "out/a b", size: 7, etag: "e1" },
    });
    expect(deletionOutOfScope(m, job)).toBeUndefined();
    expect(deletionJob(m, { kind: "extra", destinationKey: "out/x.tmp", size: 1 })).toBeUndefined();
    expect(
      deletionJob(
        { ...m, mirror: { ...m.mirror, enabled: false } },
        { kind: "extra", destinationKey: "out/a", size: 1 },
      ),
    ).toBeUndefined();
  });

  it("refuses a job whose bucket, key mapping or scope is not the migration's", () => {
    const job = deletionJob(m, { kind: "extra", destinationKey: "out/a", size: 1, etag: "e" }) as Job;
    const other = (d: Partial<Job["destination"]>, s: Partial<Job["source"]> = {}): Job => ({
      ...job,
      source: { ...job.source, ...s },
      destination: { ...job.destination, ...d },
    });
    expect(deletionOutOfScope(m, other({ bucket: "elsewhere" }))).toContain(
      "not migration 'photos''s src → dst",
    );
    expect(deletionOutOfScope(m, other({ key: "out/b" }))).toContain("not the one its source key maps to");
    expect(deletionOutOfScope(m, other({ key: "x" }, { key: "x" }))).toContain(
      "not the one its source key maps to",
    );
    expect(deletionOutOfScope(m, other({ key: "out/a.tmp" }, { key: "in/a.tmp" }))).toContain("ignores");
  });
});
