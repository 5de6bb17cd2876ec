import { describe, expect, it } from "vitest";
import { type MigrationFile, normalizeMigration } from "../../../worker/src/config/index.js";
import { decodeEventKey, parseMessage } from "../../../worker/src/runner/index.js";

const migration = (over: Partial<MigrationFile> = {}) =>
  normalizeMigration({
    name: "photos",
    source: { bucket: "src", prefix: "in/", region: "us-east-1" },
    destination: { bucket: "dst", prefix: "out/", region: "cn-northwest-1", storageClass: "STANDARD_IA" },
    ignore: ["*.tmp"],
    ...over,
  });

const event = (key: string, name = "ObjectCreated:Put", bucket = "src") =>
  JSON.stringify({
    Records: [
      {
        eventVersion: "2.1",
        eventSource: "aws:s3",
        eventName: name,
        s3: { bucket: { name: bucket }, object: { key, size: 42, eTag: "abc", versionId: "v1" } },
      },
    ],
  });

describe("queue message parsing", () => {
  const ms = [migration()];

  it("turns an ObjectCreated record into a job to the migration's destination, key URL-decoded", () => {
    expect(parseMessage(event("in/my+photo%2B1%20%C3%A9.jpg"), ms)).toEqual({
      kind: "jobs",
      skipped: [],
      notMirrored: [],
      jobs: [
        {
          migration: "photos",
          source: { bucket: "src", key: "in/my photo+1 é.jpg", size: 42, etag: "abc", versionId: "v1" },
          destination: {
            bucket: "dst",
            key: "out/my photo+1 é.jpg",
            storageClass: "STANDARD_IA",
            tags: "copy",
          },
        },
      ],
    });
  });

  it("ignores s3:TestEvent and events that create nothing", () => {
    expect(
      parseMessage(JSON.stringify({ Service: "Amazon S3", Event: "s3:TestEvent", Bucket: "src" }), ms).kind,
    ).toBe("ignore");
    expect(parseMessage(event("in/a", "ObjectReplicated:x"), ms).kind).toBe("ignore");
  });

  it("an ObjectRemoved record: a deletion job in mirror mode only, never for an ignored key", () => {
    expect(parseMessage(event("in/a", "ObjectRemoved:Delete"), ms)).toEqual({
      kind: "jobs",
      jobs: [],
      skipped: [],
      notMirrored: ["photos: src/in/a"],
    });
    const mirrored = [migration({ mirror: true })];
    expect(parseMessage(event("in/my+photo", "ObjectRemoved:DeleteMarkerCreated"), mirrored)).toEqual({
      kind: "jobs",
      skipped: [],
      notMirrored: [],
      jobs: [
        {
          migration: "photos",
          action: "delete",
          source: { bucket: "src", key: "in/my photo" },
          destination: { bucket: "dst", key: "out/my photo" },
        },
      ],
    });
    const ignored = parseMessage(event("in/a.tmp", "ObjectRemoved:Delete"), mirrored);
    expect(ignored.kind === "jobs" && [ignored.jobs, ignored.skipped]).toEqual([[], ["src/in/a.tmp"]]);
  });

  it("skips keys outside every migration's bucket, prefix or ignore rules", () => {
    for (const body of [event("other/a"), event("in/a", undefined, "elsewhere"), event("in/a.tmp")]) {
      const parsed = parseMessage(body, ms);
      expect(parsed.kind === "jobs" && parsed.jobs).toEqual([]);
    }
    const disabled = parseMessage(event("in/a"), [migration({ enabled: false })]);
    expect(disabled.kind === "jobs" && disabled.jobs).toEqual([]);
  });

  it("reads an S3 event wrapped in an SNS notification", () => {
    const parsed = parseMessage(JSON.stringify({ Type: "Notification", Message: event("in/x") }), ms);
    expect(parsed.kind === "jobs" && parsed.jobs.map((j) => j.destination.key)).toEqual(["out/x"]);
  });

  it("passes a Longbow job through and rejects what it cannot read", () => {
    const job = { migration: "m", source: { bucket: "b", key: "k" }, destination: { bucket: "d", key: "k" } };
    expect(parseMessage(JSON.stringify(job), ms)).toEqual({
      kind: "jobs",
      jobs: [job],
      skipped: [],
      notMirrored: [],
    });
    expect(parseMessage("not json", ms).kind).toBe("invalid");
    expect(parseMessage('{"hello":1}', ms).kind).toBe("invalid");
    expect(parseMessage(event("in/%E0%A4%A"), ms).kind).toBe("invalid");
  });

  it("decodes '+' as a space and %2B as a plus", () => {
    expect(decodeEventKey("a+b%2Bc")).toBe("a b+c");
  });
});

describe("deletion jobs", () => {
  it("are read only with a known action", () => {
    const job = { migration: "m", source: { bucket: "b", key: "k" }, destination: { bucket: "d", key: "k" } };
    expect(parseMessage(JSON.stringify({ ...job, action: "delete" }), []).kind).toBe("jobs");
    expect(parseMessage(JSON.stringify({ ...job, action: "wipe" }), []).kind).toBe("invalid");
  });
});
