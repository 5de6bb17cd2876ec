import { describe, expect, it } from "vitest";
import { datasetObjects, parseDataset, totalBytes } from "../../../bench/lib/dataset.js";
import { operationOf } from "../../../bench/lib/request-log.js";
import { formatSize, parseSize } from "../../../bench/lib/sizes.js";

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
  it("names the S3 operation of each logged request", () => {
    expect(operationOf("GET object -")).toBe("GetObject");
    expect(operationOf("GET object uploadId")).toBe("ListParts");
    expect(operationOf("GET bucket list-type,prefix")).toBe("ListObjectsV2");
    expect(operationOf("GET bucket prefix,uploads")).toBe("ListMultipartUploads");
    expect(operationOf("HEAD object partNumber")).toBe("HeadObject");
    expect(operationOf("PUT object partNumber,uploadId")).toBe("UploadPart");
    expect(operationOf("PUT object -")).toBe("PutObject");
    expect(operationOf("POST object uploads")).toBe("CreateMultipartUpload");
    expect(operationOf("POST object uploadId")).toBe("CompleteMultipartUpload");
    expect(operationOf("DELETE object uploadId")).toBe("AbortMultipartUpload");
    expect(operationOf("POST bucket delete")).toBe("DeleteObjects");
    expect(operationOf("TARGET SendMessageBatch -")).toBe("SendMessageBatch");
    expect(operationOf("TARGET TransactWriteItems -")).toBe("TransactWriteItems");
  });
});
