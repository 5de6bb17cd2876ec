import { HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { beforeAll, describe, expect, inject, it, vi } from "vitest";
import { main } from "../../../worker/src/cli/main.js";
import type { CopyResult } from "../../../worker/src/transfer/index.js";
import { ssmFor, uniqueBucket } from "../../emulator/clients.js";
import { defaultCredentials, longbowResult } from "../../support/cli.js";
import { putKeyParameter } from "../../support/ssm.js";
import { clientFor, freshBucket, getBytes, putObject, randomData, sha256 } from "./helpers.js";

const { global, china } = inject("emulator");

/** Runs `longbow` as a user would; SSM (for both sides' keys) is reached with the global side's key. */
const longbow = (args: string[]) =>
  longbowResult(args, {
    HOME: "/nonexistent",
    ...defaultCredentials(global),
    AWS_ENDPOINT_URL_SSM: global.endpoint,
    LONGBOW_LOG_LEVEL: "warn",
  });

describe("longbow cp", () => {
  let source: S3Client;
  let destination: S3Client;
  let srcBucket: string;
  let destBucket: string;
  let sideArgs: string[];
  beforeAll(async () => {
    source = await clientFor(global);
    destination = await clientFor(china);
    srcBucket = await freshBucket(source, global, "cli");
    destBucket = await freshBucket(destination, china, "cli");
    const ssm = ssmFor(global);
    const param = (side: typeof global) =>
      putKeyParameter(ssm, `/longbow-test/${uniqueBucket(`cli-${side.name}`)}`, side, {
        region: side.region,
      });
    sideArgs = [
      ...["--source-endpoint", global.endpoint, "--source-region", global.region],
      ...["--source-credentials-parameter", await param(global)],
      ...["--dest-endpoint", china.endpoint, "--dest-region", china.region],
      ...["--dest-credentials-parameter", await param(china)],
    ];
  });

  it("copies across credentials with the storage class applied, prints JSON and exits 0", async () => {
    const data = randomData(50_000);
    await putObject(source, {
      Bucket: srcBucket,
      Key: "dir/cli object.bin",
      Body: data,
      ContentType: "text/x-cli",
    });
    const run = await longbow([
      "cp",
      `s3://${srcBucket}/dir/cli object.bin`,
      `s3://${destBucket}/copied/`,
      ...sideArgs,
      "--storage-class",
      "STANDARD_IA",
      "--json",
    ]);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as CopyResult;
    expect(result).toMatchObject({ status: "copied", bytes: data.length });
    expect(sha256(await getBytes(destination, destBucket, "copied/cli object.bin"))).toBe(sha256(data));
    const head = await destination.send(
      new HeadObjectCommand({ Bucket: destBucket, Key: "copied/cli object.bin" }),
    );
    expect(head).toMatchObject({ StorageClass: "STANDARD_IA", ContentType: "text/x-cli" });
  });

  it("exits 3 when the source is missing, with the reason on stdout", async () => {
    const run = await longbow(["cp", `s3://${srcBucket}/absent`, `s3://${destBucket}/absent`, ...sideArgs]);
    expect(run.code).toBe(3);
    expect(run.stdout).toContain("source-missing");
    expect(run.stdout).toContain(srcBucket);
  });

  it("exits 2 on usage errors", async () => {
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      expect(await main(["node", "longbow", "cp", "not-a-url", "s3://b/k"])).toBe(2);
      expect(await main(["node", "longbow", "cp", "s3://a/k", "s3://b/k", "--storage-class", "COLD"])).toBe(
        2,
      );
      expect(await main(["node", "longbow", "cp", "s3://a/k", "s3://b/k", "--parts", "0"])).toBe(2);
      expect(
        await main([
          "node",
          "longbow",
          "cp",
          "s3://a/k",
          "s3://b/k",
          "--source-profile",
          "p",
          "--source-credentials-parameter",
          "x",
        ]),
      ).toBe(2);
      expect(stderr.mock.calls.map((c) => String(c[0])).join("")).toContain("exclude each other");
    } finally {
      stderr.mockRestore();
      process.exitCode = undefined;
    }
  });
});
