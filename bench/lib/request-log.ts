import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";
import { join } from "node:path";

/** S3 requests seen by the emulators in a window of time, by side and by operation. */
export interface RequestCounts {
  total: number;
  bySide: Record<string, number>;
  byOperation: Record<string, number>;
}

/** Where each side's log stood at a moment: byte offsets, so later lines can be read alone. */
export type RequestLogMark = Record<string, number>;

/**
 * Names the S3 operation from one log line written by bench/emulator/sitecustomize.py:
 * `METHOD object|bucket query-names` (names sorted, comma-separated, `-` for none), or
 * `TARGET operation -` for an SQS or DynamoDB request.
 */
export function operationOf(line: string): string {
  const [method = "", level = "", rawNames = "-"] = line.split(" ");
  // SQS and DynamoDB requests: the operation from their X-Amz-Target header
  if (method === "TARGET") return level;
  const names = new Set(rawNames === "-" ? [] : rawNames.split(","));
  const onObject = level === "object";
  switch (method) {
    case "GET":
      if (!onObject)
        return names.has("uploads")
          ? "ListMultipartUploads"
          : names.has("list-type")
            ? "ListObjectsV2"
            : names.size === 0
              ? "ListObjects"
              : "GetBucket?";
      return names.has("uploadId") ? "ListParts" : "GetObject";
    case "HEAD":
      return onObject ? "HeadObject" : "HeadBucket";
    case "PUT":
      if (!onObject) return "PutBucket?";
      return names.has("partNumber") ? "UploadPart" : "PutObject";
    case "POST":
      if (!onObject) return names.has("delete") ? "DeleteObjects" : "PostBucket?";
      return names.has("uploads")
        ? "CreateMultipartUpload"
        : names.has("uploadId")
          ? "CompleteMultipartUpload"
          : "PostObject?";
    case "DELETE":
      if (!onObject) return "DeleteBucket";
      return names.has("uploadId") ? "AbortMultipartUpload" : "DeleteObject";
    default:
      return `${method}?`;
  }
}

/** Reads the per-process request logs the patched emulators append to. */
export class RequestLog {
  constructor(
    private readonly dir: string,
    /** Side name → PID of its moto process (the log file is named after the PID). */
    private readonly pids: Record<string, number>,
  ) {}

  private file(side: string): string {
    return join(this.dir, `requests-${this.pids[side]}.log`);
  }

  mark(): RequestLogMark {
    const mark: RequestLogMark = {};
    for (const side of Object.keys(this.pids)) {
      const f = this.file(side);
      mark[side] = existsSync(f) ? statSync(f).size : 0;
    }
    return mark;
  }

  /** Requests logged since `mark`. */
  since(mark: RequestLogMark): RequestCounts {
    const counts: RequestCounts = { total: 0, bySide: {}, byOperation: {} };
    for (const side of Object.keys(this.pids)) {
      const f = this.file(side);
      if (!existsSync(f)) continue;
      const from = mark[side] ?? 0;
      const length = statSync(f).size - from;
      const buf = Buffer.alloc(Math.max(0, length));
      const fd = openSync(f, "r");
      try {
        readSync(fd, buf, 0, buf.length, from);
      } finally {
        closeSync(fd);
      }
      for (const line of buf.toString("utf8").split("\n")) {
        if (line === "") continue;
        const op = operationOf(line);
        counts.total++;
        counts.bySide[side] = (counts.bySide[side] ?? 0) + 1;
        counts.byOperation[op] = (counts.byOperation[op] ?? 0) + 1;
      }
    }
    return counts;
  }
}
