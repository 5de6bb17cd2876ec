import { describe, expect, it } from "vitest";
import { datasetObjects, parseDataset, totalBytes } from "../../../bench/lib/dataset.js";
import { operationOf } from "../../../bench/lib/request-log.js";
import { type RunResult, rcloneBestOf } from "../../../bench/lib/results.js";
import { formatSize, parseSize } from "../../../bench/lib/sizes.js";
import { checkTargets } from "../../../bench/lib/targets.js";

describe("benchmark data set specs", () => {
  it("parses sizes in binary and decimal units", () => {
    expect(parseSize("64KiB")).toBe(65536);
    expect(parseSize("256MiB")).toBe(256 * 1024 ** 2);
    expect(parseSize("1GiB")).toBe(1024 ** 3);
    expect(parseSize("5MB")).toBe(5_000_000);
    expect(parseSize("0")).toBe(0);
    expect(() => parseSize("lots")).toThrow(/not a size/);
    expect(formatSize(32 * 1024 ** 2)).toBe("32 MiB");
  });

  it("expands a spec into stable, size-grouped keys", () => {
    const groups = parseDataset("1x256MiB, 2x64KiB,3x0");
    const objects = datasetObjects(groups);
    expect(objects.map((o) => o.key)).toEqual([
      "set/256MiB/00000.bin",
      "set/64KiB/00000.bin",
      "set/64KiB/00001.bin",
      "set/0B/00000.bin",
      "set/0B/00001.bin",
      "set/0B/00002.bin",
    ]);
    expect(totalBytes(objects)).toBe(256 * 1024 ** 2 + 2 * 65536);
    expect(() => parseDataset("8 big ones")).toThrow(/data set group/);
  });
});

describe("emulator request log", () => {
  /** A logged request (method, resource, query keys) and the operation it is. */
  const operations: Record<string, string> = {
    "GET object -": "GetObject",
    "GET object uploadId": "ListParts",
    "GET bucket list-type,prefix": "ListObjectsV2",
    "GET bucket prefix,uploads": "ListMultipartUploads",
    "HEAD object partNumber": "HeadObject",
    "PUT object partNumber,uploadId": "UploadPart",
    "PUT object -": "PutObject",
    "POST object uploads": "CreateMultipartUpload",
    "POST object uploadId": "CompleteMultipartUpload",
    "DELETE object uploadId": "AbortMultipartUpload",
    "POST bucket delete": "DeleteObjects",
    "TARGET SendMessageBatch -": "SendMessageBatch",
    "TARGET TransactWriteItems -": "TransactWriteItems",
  };

  it.each(Object.entries(operations))(
    "names the S3 operation of a logged %s request: %s",
    (line, operation) => {
      expect(operationOf(line)).toBe(operation);
    },
  );
});

describe("issue-18 targets", () => {
  const row = (
    tool: string,
    kind: RunResult["kind"],
    over: { path?: string; condition?: string; suite?: string; wall: number; cpu: number; rssMiB?: number },
  ): RunResult => ({
    condition: over.condition ?? "stock",
    suite: over.suite ?? "wan",
    path: over.path ?? "direct",
    round: 1,
    tool,
    kind,
    settings: "",
    ...(kind === "longbow" ? { budgetMiB: 512 } : {}),
    objects: 100,
    bytes: 100e6,
    cost: {
      wallSeconds: over.wall,
      userSeconds: over.cpu,
      systemSeconds: 0,
      maxRssBytes: (over.rssMiB ?? 100) * 1024 ** 2,
      exitCode: 0,
    },
    steps: [],
    requests: { total: 0, bySide: {}, byOperation: {} },
    verification: { identical: true, objects: 100, etagMatches: 100, hashed: 0, problems: [] },
    load: [0, 0],
  });

  it("compares each Longbow row with the fastest rclone of the same condition, path and suite", () => {
    const results = [
      row("rclone 5x20", "rclone", { wall: 10, cpu: 2 }),
      row("rclone 32x8", "rclone", { wall: 8, cpu: 3 }),
      row("rclone 32x8", "rclone", { wall: 1, cpu: 1, condition: "patched" }),
      row("longbow migrate", "longbow", { wall: 9, cpu: 2.4, rssMiB: 700 }),
      row("rclone 32x8", "rclone", { wall: 20, cpu: 3, path: "wan" }),
      row("original", "original", { wall: 50, cpu: 3, path: "wan" }),
      row("longbow migrate", "longbow", { wall: 10, cpu: 2, path: "wan" }),
    ];
    expect(rcloneBestOf(results, results[3] as RunResult)?.tool).toBe("rclone 32x8");
    const checks = checkTargets(results).map((c) => [c.row, c.target, c.met]);
    expect(checks).toEqual([
      ["wan/direct/1 longbow migrate", "direct wall ≤ 1.0× rclone's best", false],
      ["wan/direct/1 longbow migrate", "direct client CPU ≤ 1.0× rclone's", true],
      ["wan/direct/1 longbow migrate", "peak RSS ≤ budget + 150 MiB", false],
      ["wan/wan/1 longbow migrate", "WAN ≥ 1.5× rclone's best", true],
      ["wan/wan/1 longbow migrate", "WAN ≥ 3× the original", true],
      ["wan/wan/1 longbow migrate", "peak RSS ≤ budget + 150 MiB", true],
    ]);
  });

  it("checks CPU per object and wall on small-object suites, and the send step's rate", () => {
    const send = row("longbow send+work", "longbow", { suite: "small", wall: 3, cpu: 0.05 });
    send.steps = [
      { name: "send", cost: { ...send.cost, wallSeconds: 0.04, userSeconds: 0.01 } },
      { name: "work", cost: send.cost },
    ];
    const results = [row("rclone 64x4", "rclone", { suite: "small", wall: 4, cpu: 1 }), send];
    expect(checkTargets(results).map((c) => [c.target, c.met, c.value])).toEqual([
      ["peak RSS ≤ budget + 150 MiB", true, "100 MiB (limit 662 MiB)"],
      ["small objects: client CPU ≤ 1 ms per object", true, "0.50 ms (0.05 s for 100 objects)"],
      ["small objects: wall ≤ rclone's best", true, "3.0 s vs rclone 64x4's 4.0 s"],
      [
        "send: client CPU ≤ 0.2 ms per object and ≥ 2,000 objects/s (against moto)",
        true,
        "0.10 ms per object, 2500 objects/s (0.0 s, 0.01 CPU-s)",
      ],
    ]);
  });
});
