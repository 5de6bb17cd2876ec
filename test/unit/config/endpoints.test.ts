import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { partition } from "@aws-sdk/core/client";
import { describe, expect, it } from "vitest";
import {
  endpointProblems,
  formatProblem,
  loadMigrations,
  regionStatus,
  storeOf,
} from "../../../worker/src/config/index.js";

describe("endpoint checks", () => {
  it.each([
    "http://127.0.0.1:4566",
    "http://localhost:9000/",
    "http://[::1]:9000",
    "http://127.0.0.2:9000",
    "http://emulator.localhost:9000",
    "https://minio.example.com",
    "https://minio.example.com:9443/s3/",
    "https://s3.cn-north-1.amazonaws.com.cn",
    "https://10.0.0.5",
  ])("keeps %s usable (loopback may use http)", (url) => {
    expect(endpointProblems(url)).toEqual([]);
  });

  it("names every problem of one endpoint, without repeating its password", () => {
    const problems = endpointProblems("http://user:pa55@169.254.169.254/?a=1#b");
    expect(problems).toHaveLength(4);
    expect(problems.join(" ")).not.toContain("pa55");
  });
});

describe("the store a side reaches", () => {
  /** The store reached by a side given as "region [endpoint]". */
  const store = (side: string) => {
    const [region = "", endpoint] = side.split(" ");
    return storeOf({ region, endpoint });
  };

  it.each([
    ["us-east-1", "us-east-1 https://s3.us-east-1.amazonaws.com/"],
    ["us-east-1", "eu-west-1"],
    ["us-east-1", "us-west-2 https://s3.amazonaws.com"],
    ["us-east-1", "us-east-1 https://s3.dualstack.us-east-1.amazonaws.com"],
    ["cn-north-1", "cn-northwest-1 https://s3.cn-northwest-1.amazonaws.com.cn"],
    ["us-east-1 https://minio.example.com", "eu-west-1 https://MINIO.example.com.:443/"],
    ["us-east-1 http://localhost:9000", "us-east-1 http://[::1]:9000"],
    ["us-east-1 http://127.0.0.1:80", "us-east-1 http://127.0.0.1"],
  ])("is one store: %s and %s", (a, b) => {
    expect(store(a)).toBe(store(b));
  });

  it.each([
    ["us-east-1", "cn-north-1"],
    ["us-east-1", "us-east-1 https://minio.example.com"],
    ["us-east-1 https://minio.example.com", "us-east-1 https://minio.example.com:9000"],
    ["us-east-1 https://minio.example.com/a", "us-east-1 https://minio.example.com/b"],
    ["us-east-1 http://127.0.0.1:9000", "us-east-1 http://127.0.0.1:9001"],
  ])("are two stores: %s and %s", (a, b) => {
    expect(store(a)).not.toBe(store(b));
  });

  it("finds enabled migrations writing one prefix however their endpoints are spelled", async () => {
    const dir = mkdtempSync(join(tmpdir(), "longbow-overlap-"));
    try {
      const file = (name: string, endpoint: string) =>
        [
          `name: ${name}`,
          `source: { bucket: src-${name}, region: us-east-1 }`,
          `destination: { bucket: shared-dst, prefix: in/, region: us-east-1, endpoint: "${endpoint}" }`,
        ].join("\n");
      writeFileSync(join(dir, "one.yaml"), file("one", "https://Store.example.com"));
      writeFileSync(join(dir, "two.yaml"), file("two", "https://store.example.com:443/"));
      const { problems } = await loadMigrations(dir);
      expect(problems.map(formatProblem)).toEqual([
        `${dir}/two.yaml:3:44  destination.prefix  destination s3://shared-dst/in/ overlaps the destination s3://shared-dst/in/ of 'one' (${dir}/one.yaml)`,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("regions", () => {
  it("agree with the SDK's own partition() for every region the table lists", () => {
    for (const r of ["us-east-1", "eu-west-1", "ap-southeast-2", "cn-north-1", "cn-northwest-1"]) {
      const status = regionStatus(r);
      expect(status).toEqual({ kind: "known", partition: partition(r).name });
    }
  });

  it("tell a region newer than the SDK from one that cannot exist", () => {
    expect(regionStatus("us-eest-1")).toEqual({ kind: "unlisted", partition: "aws" });
    expect(regionStatus("cn-northwest-9")).toEqual({ kind: "unlisted", partition: "aws-cn" });
    expect(regionStatus("xx-east-1")).toEqual({ kind: "impossible" });
  });
});
