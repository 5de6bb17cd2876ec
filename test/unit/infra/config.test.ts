import { describe, expect, it } from "vitest";
import { ConfigError, resolveConfig } from "../../../infra/lib/config.js";

describe("resolveConfig", () => {
  it("fills every default, following the original where it had one", () => {
    const c = resolveConfig();
    expect(c).toMatchObject({
      stackName: "Longbow",
      partition: "aws",
      minCapacity: 1,
      maxCapacity: 10,
      onDemandBaseCapacity: 0,
      jobTimeoutSeconds: 3600,
      visibilityTimeoutSeconds: 900,
      drainTimeoutSeconds: 120,
      maxReceiveCount: 24,
      scaleOutThresholds: [100, 500],
      credentialsParameter: "s3_migration_credentials",
      migrationsPath: "/longbow/migrations",
      workerBundleDir: "dist",
      triggerBucket: false,
      github: undefined,
    });
    expect(c.lambdaWorker.enabled).toBe(false);
    expect(c.instanceTypes.length).toBeGreaterThan(1);
  });

  it("keeps a deliberate zero instead of replacing it with the default", () => {
    expect(resolveConfig({ minCapacity: 0 }).minCapacity).toBe(0);
  });

  it("derives the migrations path from the SSM prefix unless given", () => {
    expect(resolveConfig({ ssmPrefix: "/team/longbow" }).migrationsPath).toBe("/team/longbow/migrations");
    expect(resolveConfig({ migrationsPath: "/elsewhere" }).migrationsPath).toBe("/elsewhere");
  });

  it.each([
    [{ minCapacity: 5, maxCapacity: 2 }, /minCapacity \(5\) must not exceed maxCapacity \(2\)/],
    [
      { visibilityTimeoutSeconds: 100 },
      /visibilityTimeoutSeconds \(100\) must be at least twice worker.heartbeatSeconds \(60\)/,
    ],
    [{ visibilityTimeoutSeconds: 100, worker: { heartbeatSeconds: 30 } }, null],
    [{ drainTimeoutSeconds: 45 }, /drainTimeoutSeconds must be a whole number between 60/],
    [{ maxReceiveCount: 0 }, /maxReceiveCount must be a whole number/],
    [{ partition: "aws-us-gov" as "aws" }, /partition must be 'aws' or 'aws-cn'/],
    [{ instanceTypes: [] }, /instanceTypes must list instance types/],
    [{ notificationEmail: "not-an-address" }, /notificationEmail must be an email address/],
    [{ scaleOutThresholds: [500, 100] as [number, number] }, /scaleOutThresholds\[1\]/],
    [{ github: { repository: "no-owner" } }, /github.repository must be 'owner\/name'/],
    [
      { github: { repository: "o/r", planCredentialsParameter: "/s3_migration_credentials" } },
      /github.planCredentialsParameter must hold a read-only key, not the fleet's credentialsParameter/,
    ],
    [{ github: { repository: "o/r", planCredentialsParameter: "/longbow/plan-read-only" } }, null],
    [{ ssmPrefix: "longbow" }, /ssmPrefix must be an SSM path/],
    [
      {
        visibilityTimeoutSeconds: 900,
        lambdaWorker: { enabled: true, timeoutSeconds: 900 },
      },
      null,
    ],
    [
      {
        visibilityTimeoutSeconds: 300,
        lambdaWorker: { enabled: true, timeoutSeconds: 600 },
      },
      /lambdaWorker.timeoutSeconds \(600\) must not exceed visibilityTimeoutSeconds \(300\)/,
    ],
    [{ worker: { filesInParallel: 0 } }, /^worker\.filesInParallel/],
    [{ worker: { logLevel: "loud" } }, /^worker\.logLevel/],
  ])("validates %j", (input, message) => {
    if (message === null) {
      expect(() => resolveConfig(input)).not.toThrow();
    } else {
      expect(() => resolveConfig(input)).toThrow(ConfigError);
      expect(() => resolveConfig(input)).toThrow(message);
    }
  });
});
