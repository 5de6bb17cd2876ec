import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Plan } from "../../../worker/src/plan/index.js";
import { s3For, uniqueBucket } from "../../emulator/clients.js";
import { defaultCredentials, longbowResult, writeMigration, writeProfiles } from "../../support/cli.js";

const { global, china } = inject("emulator");

let dir: string;
let env: Record<string, string>;
const src = uniqueBucket("plan-src");
const dst = uniqueBucket("plan-dst");

const longbow = (...args: string[]) => longbowResult(args, env);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "longbow-plan-"));
  env = {
    // one named profile per side: each emulated partition only accepts its own key
    ...writeProfiles(join(dir, "aws"), [global, china]),
    ...defaultCredentials(global),
    AWS_ENDPOINT_URL_SSM: global.endpoint,
    LONGBOW_LOG_LEVEL: "warn",
  };
  writeMigration(
    join(dir, "migrations"),
    "cli-plan",
    { side: global, bucket: src },
    { side: china, bucket: dst, prefix: "copy/" },
    { ignore: ["*.tmp"] },
  );
  const s = s3For(global);
  const d = s3For(china);
  await s.send(new CreateBucketCommand({ Bucket: src }));
  await d.send(
    new CreateBucketCommand({
      Bucket: dst,
      CreateBucketConfiguration: { LocationConstraint: "cn-northwest-1" },
    }),
  );
  await s.send(new PutObjectCommand({ Bucket: src, Key: "big.bin", Body: "x".repeat(3000) }));
  await s.send(new PutObjectCommand({ Bucket: src, Key: "a/same.bin", Body: "same" }));
  await s.send(new PutObjectCommand({ Bucket: src, Key: "scratch.tmp", Body: "t" }));
  await d.send(new PutObjectCommand({ Bucket: dst, Key: "copy/a/same.bin", Body: "same" }));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("longbow plan and publish against the emulator", () => {
  it("plan --json lists classes, the largest objects and an ETA, each side with its own credentials", async () => {
    const r = await longbow("plan", "--dir", join(dir, "migrations"), "--json", "--throughput", "0.001");
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as Plan;
    const p = plan.migrations[0];
    expect(p?.classes.new).toEqual({ objects: 1, bytes: 3000 });
    expect(p?.classes.identical.objects).toBe(1);
    expect(p?.classes.ignored.objects).toBe(1);
    expect(p?.largest.map((c) => c.destinationKey)).toEqual(["copy/big.bin"]);
    expect(p?.etaSeconds).toBe(3);
  });

  it("plan prints Markdown whose first line is the summary", async () => {
    const r = await longbow("plan", "--dir", join(dir, "migrations"), "--migration", "cli-plan");
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toMatch(
      /^\*\*Longbow plan:\*\* 1 migration, 1 \(2\.9 KiB\) to copy, 1 identical/,
    );
    expect(r.stdout).toContain("<details><summary>cli-plan:");
  });

  it("plan estimates the cost for the fleet the flags name, and says what it cannot price", async () => {
    const r = await longbow(
      "plan",
      "--dir",
      join(dir, "migrations"),
      "--json",
      "--throughput",
      "0.001",
      "--instances",
      "3",
      "--instance-types",
      "c5.large,m5.large",
      "--fleet-region",
      "us-east-1",
    );
    expect(r.code).toBe(0);
    const { estimate } = JSON.parse(r.stdout) as Plan;
    expect(estimate.basis.fleet).toMatchObject({
      region: "us-east-1",
      instances: 3,
      instanceTypes: ["c5.large", "m5.large"],
    });
    // ETA 3 s × 3 instances = 9 s = 0.0025 h
    expect(estimate.lines.find((l) => l.item === "fleet")?.quantity).toBeCloseTo(0.0025, 12);
    // both sides are the emulator's endpoints: no S3 price applies
    expect(estimate.unpriced).toContain(
      "cli-plan: S3 requests and data transfer at a custom endpoint (an S3-compatible store this price list does not know)",
    );
    const md = await longbow("plan", "--dir", join(dir, "migrations"), "--migration", "cli-plan");
    expect(md.stdout.split("\n")[0]).toMatch(/; estimated cost (under )?USD [\d.,–]+, partly unpriced$/);
    expect(md.stdout).toContain("<details><summary>Estimated cost:");

    const bad = await longbow("plan", "--dir", join(dir, "migrations"), "--instance-types", "c5.large;rm");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("expected EC2 instance types separated by commas");
    const nowhere = await longbow("plan", "--dir", join(dir, "migrations"), "--fleet-region", "mars-1");
    expect(nowhere.code).toBe(2);
  });

  it("plan reports a compare that fails, without leaking credentials, and exits 1", async () => {
    const profiles = env;
    // the global profile holds the China key
    const swapped = { ...global, accessKeyId: china.accessKeyId, secretAccessKey: china.secretAccessKey };
    env = { ...env, ...writeProfiles(join(dir, "swapped"), [swapped, china]) };
    try {
      const bad = await longbow("plan", "--dir", join(dir, "migrations"), "--json");
      expect(bad.code).toBe(1);
      const plan = JSON.parse(bad.stdout) as Plan;
      expect(plan.migrations[0]?.error).toMatch(/InvalidAccessKeyId/);
      expect(bad.stdout + bad.stderr).not.toContain(china.secretAccessKey);
    } finally {
      env = profiles;
    }
  });

  it("publish prints + then nothing on a second run", async () => {
    const path = `/${uniqueBucket("cli")}/migrations`;
    const first = await longbow("publish", "--dir", join(dir, "migrations"), "--path", path);
    expect(first).toMatchObject({ code: 0, stdout: `+ ${path}/cli-plan\n` });
    const second = await longbow("publish", "--dir", join(dir, "migrations"), "--path", path);
    expect(second).toMatchObject({ code: 0, stdout: "" });
    expect(second.stderr).toContain("1 unchanged");
  });

  it("refuses to publish an invalid set", async () => {
    const r = await longbow("publish", "--dir", "test/fixtures/migrations/invalid-sets/duplicate-name");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("duplicate name 'twice'");
  });
});
