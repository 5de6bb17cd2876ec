import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fanoutThreshold, mayFanOut } from "../../../worker/src/fanout/index.js";
import type { Job } from "../../../worker/src/job/index.js";
import {
  allRangesDone,
  planClaim,
  planEnd,
  planOpen,
  planRangeDone,
} from "../../../worker/src/ledger/fanout-state.js";
import type { FanoutState } from "../../../worker/src/ledger/index.js";
import { migrationReport, renderMigrationMarkdown } from "../../../worker/src/report/index.js";
import { defaultSettings, resolveSettings } from "../../../worker/src/settings/index.js";
import { IntegrityError, JobTimeoutError, TransferError } from "../../../worker/src/transfer/errors.js";
import { isTransientFailure, splitRanges } from "../../../worker/src/transfer/index.js";
import { ledgerSummary } from "../../support/ledger-summary.js";

const MiB = 1048576;

describe("range splitting", () => {
  const sizes = (ranges: { first: number; last: number }[]) => ranges.map((r) => r.last - r.first + 1);
  /** Each worker takes the next range as soon as it is free, every part costing the same. */
  const makespan = (ranges: { first: number; last: number }[], workers: number) => {
    const busy = new Array<number>(workers).fill(0);
    for (const size of sizes(ranges)) {
      const free = busy.indexOf(Math.min(...busy));
      busy[free] = (busy[free] ?? 0) + size;
    }
    return Math.max(...busy);
  };

  it("cuts every part into exactly one range of at most partsPerRange, in order, tapering at the end", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2_000 }), fc.integer({ min: 1, max: 200 }), (parts, per) => {
        const ranges = splitRanges(parts, per);
        const smallest = Math.ceil(per / 8);
        expect(ranges[0]?.first).toBe(1);
        expect(ranges.at(-1)?.last).toBe(parts);
        for (const [i, r] of ranges.entries()) {
          const size = r.last - r.first + 1;
          expect(size).toBeLessThanOrEqual(per);
          expect(size).toBeGreaterThanOrEqual(1);
          if (i > 0) expect(r.first).toBe((ranges[i - 1]?.last ?? 0) + 1);
          // never larger than the one before, never below an eighth of partsPerRange but at the very end
          if (i > 0) expect(size).toBeLessThanOrEqual(sizes(ranges)[i - 1] ?? 0);
          if (i < ranges.length - 1) expect(size).toBeGreaterThanOrEqual(smallest);
        }
        // an object of at least 8 full ranges starts with full ranges
        if (parts >= 8 * per) expect(sizes(ranges)[0]).toBe(per);
      }),
    );
  });

  it("lets up to 8 workers taking ranges in order end within one of the smallest ranges of an even share", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 3_000 }),
        fc.integer({ min: 1, max: 128 }),
        fc.integer({ min: 1, max: 8 }),
        (parts, per, workers) => {
          const ranges = splitRanges(parts, per);
          expect(makespan(ranges, workers)).toBeLessThanOrEqual(
            Math.ceil(parts / workers) + Math.ceil(per / 8),
          );
        },
      ),
    );
    // equal ranges did not: a 256-part object in ranges of 64 kept a third worker idle
    // (2 ranges of 64 on one worker, 128 parts, against 86 for an even share)
    expect(makespan(splitRanges(256, 64), 3)).toBeLessThanOrEqual(86 + 8);
    expect(splitRanges(256, 64).length).toBeGreaterThan(4);
  });

  it("gives a 5 TB object of 10,000 parts 172 ranges: 64 parts each, then a tail down to 8", () => {
    const ranges = splitRanges(10_000, 64);
    expect(ranges).toHaveLength(172);
    expect(sizes(ranges).filter((n) => n === 64)).toHaveLength(149);
    expect(ranges.at(-1)).toEqual({ first: 9_997, last: 10_000 });
    expect(sizes(ranges).slice(-3, -1)).toEqual([8, 8]);
  });
});

describe("fan-out threshold", () => {
  const job = (size: number | undefined): Job => ({
    migration: "m",
    source: { bucket: "b", key: "k", ...(size === undefined ? {} : { size }) },
    destination: { bucket: "d", key: "k" },
  });

  it("is 1 GiB by default, read in MiB from LONGBOW_FANOUT_THRESHOLD_MB, and a migration's limit wins", () => {
    expect(defaultSettings.fanoutThreshold).toBe(1024 * MiB);
    const s = resolveSettings({ LONGBOW_FANOUT_THRESHOLD_MB: "64", LONGBOW_FANOUT_PARTS_PER_RANGE: "16" });
    expect(s).toMatchObject({ fanoutThreshold: 64 * MiB, fanoutPartsPerRange: 16 });
    expect(fanoutThreshold({ limits: {} }, s)).toBe(64 * MiB);
    expect(fanoutThreshold({ limits: { fanoutThresholdMB: 2 } }, s)).toBe(2 * MiB);
    expect(() => resolveSettings({ LONGBOW_FANOUT_THRESHOLD_MB: "0" })).toThrow(
      /LONGBOW_FANOUT_THRESHOLD_MB/,
    );
  });

  it("considers only object jobs whose listed size reaches it", () => {
    expect(mayFanOut(job(2 * MiB), 2 * MiB)).toBe(true);
    expect(mayFanOut(job(2 * MiB - 1), 2 * MiB)).toBe(false);
    expect(mayFanOut(job(undefined), 2 * MiB)).toBe(false);
    const range = { ...job(4 * MiB), range: {} as NonNullable<Job["range"]> };
    expect(mayFanOut(range, 2 * MiB)).toBe(false);
  });
});

describe("fan-out record transitions", () => {
  const open = planOpen(undefined, {
    uploadId: "u",
    rangesTotal: 3,
    partsTotal: 30,
    startedAt: "t",
  }) as FanoutState;

  it("grants the completion once every range is done, to the first range that asks, and to it again", () => {
    let s = open;
    for (const index of [2, 0, 1]) {
      expect(planClaim(s, "u", index).granted).toBe(false);
      const next = planRangeDone(s, "u", { index, parts: 10 });
      if (typeof next === "object") s = next;
    }
    expect(allRangesDone(s)).toBe(true);
    const claim = planClaim(s, "u", 1);
    expect(claim.granted).toBe(true);
    const claimed = claim.write as FanoutState;
    expect(planClaim(claimed, "u", 1)).toEqual({ granted: true });
    expect(planClaim(claimed, "u", 0)).toEqual({ granted: false });
    expect(planClaim(claimed, "other", 1)).toEqual({ granted: false });
  });

  it("ignores a range reported twice, out of bounds, or of another upload", () => {
    const once = planRangeDone(open, "u", { index: 1, parts: 10 }) as FanoutState;
    expect(planRangeDone(once, "u", { index: 1, parts: 10 })).toBe("same");
    expect(planRangeDone(once, "u", { index: 3, parts: 10 })).toBe("same");
    expect(planRangeDone(once, "old", { index: 0, parts: 10 })).toBeUndefined();
    expect(planRangeDone(undefined, "u", { index: 0, parts: 10 })).toBeUndefined();
  });

  it("ends once; an aborted fan-out is never completed", () => {
    const aborted = planEnd(open, "u", "aborted", "changed") as FanoutState;
    expect(planEnd(aborted, "u", "completed", undefined)).toBeUndefined();
    let s = aborted;
    for (const index of [0, 1, 2]) s = planRangeDone(s, "u", { index, parts: 10 }) as FanoutState;
    expect(planClaim(s, "u", 0).granted).toBe(false);
    expect(
      planOpen(aborted, { uploadId: "u2", rangesTotal: 1, partsTotal: 1, startedAt: "t" }),
    ).toMatchObject({
      uploadId: "u2",
      rangesDone: [],
    });
  });
});

describe("report of a fanned-out object", () => {
  it("shows it as one object with its progress by parts", () => {
    const report = migrationReport(
      ledgerSummary(
        {
          fanouts: [
            {
              sourceKey: "giant|.bin",
              partsDone: 2_560,
              partsTotal: 10_000,
              rangesDone: 40,
              rangesTotal: 157,
            },
          ],
        },
        { pending: { objects: 1, bytes: 5 * 1024 * 1024 * MiB } },
      ),
      new Date("2026-11-26T02:30:00Z"),
    );
    expect(report.objects.pending).toBe(1);
    expect(renderMigrationMarkdown(report)).toContain("| `giant\\|.bin` | 2560/10000 (25%) | 40/157 |");
  });
});

describe("which range failures spend the object's attempts", () => {
  const sdkError = (name: string, status?: number) =>
    Object.assign(new Error(name), {
      name,
      ...(status === undefined ? {} : { $metadata: { httpStatusCode: status } }),
    });

  it("throttling, 5xx, resets and timeouts are transient: retried without counting", () => {
    expect(isTransientFailure(sdkError("SlowDown", 503))).toBe(true);
    expect(isTransientFailure(sdkError("InternalError", 500))).toBe(true);
    expect(isTransientFailure(Object.assign(new Error("reset"), { code: "ECONNRESET" }))).toBe(true);
    expect(isTransientFailure(new TransferError("SlowDown", "UploadPart failed", { retryable: true }))).toBe(
      true,
    );
    expect(isTransientFailure(new JobTimeoutError(60, {}))).toBe(true);
  });

  it("integrity failures, refused credentials and malformed requests are real failures", () => {
    expect(isTransientFailure(new IntegrityError("part ETag mismatch", {}))).toBe(false);
    expect(isTransientFailure(sdkError("AccessDenied", 403))).toBe(false);
    expect(isTransientFailure(sdkError("InvalidArgument", 400))).toBe(false);
    expect(
      isTransientFailure(new TransferError("InvalidArgument", "UploadPart failed", { retryable: false })),
    ).toBe(false);
  });
});

describe("the destination's part ETags, recorded at the split", () => {
  it("a record opens with what CreateMultipartUpload said, and a redelivered split keeps it", () => {
    const open = { uploadId: "u1", rangesTotal: 3, partsTotal: 30, startedAt: "t" };
    expect(planOpen(undefined, { ...open, partEtagsAreMd5: false })?.partEtagsAreMd5).toBe(false);
    const first = planOpen(undefined, { ...open, partEtagsAreMd5: false }) as FanoutState;
    // the redelivered split kept the upload and does not know the answer: the record stands
    expect(planOpen(first, open)).toBeUndefined();
    expect(planOpen(undefined, open)?.partEtagsAreMd5).toBeUndefined();
  });
});
