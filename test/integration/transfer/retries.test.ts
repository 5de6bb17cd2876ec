import { Writable } from "node:stream";
import { describe, expect, inject, it } from "vitest";
import { createLogger } from "../../../worker/src/log/index.js";
import { copyObject } from "../../../worker/src/transfer/index.js";
import { startFaultProxy } from "../../support/fault-proxy.js";
import { clientFor, jobFor, KiB, putObject, randomData, twoSides } from "./helpers.js";

const { global, china } = inject("emulator");

describe("retried requests are visible", () => {
  const sides = twoSides("retries", global, china);

  it("logs each failed attempt the SDK retries at debug, and counts them in the result", async () => {
    await putObject(sides.direct.source, {
      Bucket: sides.srcBucket,
      Key: "r/a.bin",
      Body: randomData(40 * KiB),
    });
    let puts = 0;
    // the first two PUTs of the object answer 500; the SDK retries them
    const proxy = await startFaultProxy({
      target: china.endpoint,
      fault: (r) => (r.method === "PUT" && ++puts <= 2 ? "http500" : "none"),
    });
    try {
      const lines: Record<string, unknown>[] = [];
      const sink = new Writable({
        write(chunk, _enc, done) {
          for (const l of String(chunk).split("\n")) if (l) lines.push(JSON.parse(l));
          done();
        },
      });
      const logger = createLogger({ level: "debug", destination: sink });
      const destination = await clientFor(china, proxy.endpoint, { logger });
      const result = await copyObject(jobFor(sides.srcBucket, "r/a.bin", sides.destBucket), {
        source: sides.direct.source,
        destination,
        logger,
      });
      expect(result).toMatchObject({ status: "copied", retries: 2 });
      const failed = lines.filter((l) => l.msg === "request attempt failed");
      expect(failed).toHaveLength(2);
      expect(failed[0]).toMatchObject({
        level: "debug",
        operation: "PutObjectCommand",
        endpoint: new URL(proxy.endpoint).host,
        bucket: sides.destBucket,
        key: "r/a.bin",
        attempt: 1,
        error: "InternalError",
        status: 500,
      });
      // a 404 from the HEAD of a destination that is not there yet is an answer, not a retry
      expect(
        lines.filter((l) => l.msg === "request attempt failed" && l.operation === "HeadObjectCommand"),
      ).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});
