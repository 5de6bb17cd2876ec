import { describe, expect, it } from "vitest";
import { EmfMetrics } from "../../../worker/src/metrics/index.js";

describe("Embedded Metric Format", () => {
  it("writes one line the dashboard's metrics and dimension can be extracted from", () => {
    const lines: string[] = [];
    new EmfMetrics({ write: (l) => lines.push(l), now: () => 1_700_000_000_000 }).jobFinished({
      migration: "photos",
      bytesCopied: 1024,
      objectsCopied: 1,
      objectsFailed: 0,
      durationMs: 250,
    });
    expect(lines).toHaveLength(1);
    const doc = JSON.parse(lines[0] ?? "");
    expect(doc._aws).toEqual({
      Timestamp: 1_700_000_000_000,
      CloudWatchMetrics: [
        {
          Namespace: "Longbow",
          Dimensions: [["Migration"]],
          Metrics: [
            { Name: "BytesCopied", Unit: "Bytes" },
            { Name: "ObjectsCopied", Unit: "Count" },
            { Name: "ObjectsFailed", Unit: "Count" },
            { Name: "JobDuration", Unit: "Milliseconds" },
          ],
        },
      ],
    });
    // every metric named in the directive has a numeric value at the top level
    for (const m of doc._aws.CloudWatchMetrics[0].Metrics) expect(typeof doc[m.Name]).toBe("number");
    expect(doc.Migration).toBe("photos");
  });
});
