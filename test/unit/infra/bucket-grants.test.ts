import { describe, expect, it } from "vitest";
import { bucketGrants, credentialsParameters, partitionBuckets } from "../../../infra/lib/bucket-grants.js";
import type { MigrationGrantSource } from "../../../infra/lib/config.js";

const toChina: MigrationGrantSource = {
  source: { bucket: "g", prefix: "a/", region: "us-east-1" },
  destination: { bucket: "c", prefix: "b/", region: "cn-north-1", credentials: { ssmParameter: "keys" } },
};

describe("bucketGrants", () => {
  it("grants only the side in the stack's partition", () => {
    expect(bucketGrants([toChina], "aws")).toEqual({ read: [{ bucket: "g", prefixes: ["a/"] }], write: [] });
    const fromGlobal: MigrationGrantSource = {
      source: { bucket: "g", prefix: "a/", region: "us-east-1", credentials: { ssmParameter: "keys" } },
      destination: { bucket: "c", prefix: "b/", region: "cn-north-1" },
    };
    expect(bucketGrants([fromGlobal], "aws-cn")).toEqual({
      read: [],
      write: [{ bucket: "c", prefixes: ["b/"] }],
    });
  });

  it("leaves out disabled migrations, custom endpoints and sides reached with other credentials", () => {
    const others: MigrationGrantSource[] = [
      { ...toChina, enabled: false },
      {
        source: { bucket: "minio", region: "us-east-1", endpoint: "https://minio.example" },
        destination: { bucket: "p", region: "us-east-1", credentials: { profile: "other-account" } },
      },
    ];
    expect(bucketGrants(others, "aws")).toEqual({ read: [], write: [] });
  });

  it("merges prefixes per bucket and drops those a shorter prefix or the whole bucket covers", () => {
    const m = (bucket: string, prefix?: string): MigrationGrantSource => ({
      source: { bucket, ...(prefix === undefined ? {} : { prefix }), region: "us-east-1" },
      destination: { bucket: "out", region: "us-east-1" },
    });
    const { read, write } = bucketGrants(
      [m("x", "logs/2024/"), m("x", "logs/"), m("x", "img/"), m("y", "a/"), m("y")],
      "aws",
    );
    expect(read).toEqual([
      { bucket: "x", prefixes: ["img/", "logs/"] },
      { bucket: "y", prefixes: [""] },
    ]);
    expect(write).toEqual([{ bucket: "out", prefixes: [""] }]);
  });
});

describe("credentialsParameters", () => {
  it("lists each named parameter once, with its region when given", () => {
    const second: MigrationGrantSource = {
      source: { bucket: "g2", region: "us-east-1" },
      destination: { bucket: "c2", region: "cn-north-1", credentials: { ssmParameter: "keys" } },
    };
    const third: MigrationGrantSource = {
      source: {
        bucket: "g3",
        region: "us-east-1",
        credentials: { ssmParameter: "west", region: "us-west-2" },
      },
      destination: { bucket: "c3", region: "us-east-1" },
    };
    expect(credentialsParameters([toChina, second, third])).toEqual([
      { name: "keys" },
      { name: "west", region: "us-west-2" },
    ]);
  });
});

describe("partitionBuckets", () => {
  it("names every real S3 bucket of this partition, whatever credentials the fleet uses for it", () => {
    expect(partitionBuckets([toChina], "aws-cn")).toEqual(["c"]);
    expect(partitionBuckets([toChina], "aws")).toEqual(["g"]);
    expect(partitionBuckets([{ ...toChina, enabled: false }], "aws")).toEqual([]);
  });
});
