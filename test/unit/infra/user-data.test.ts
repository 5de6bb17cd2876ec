import { describe, expect, it } from "vitest";
import { workerBootScript } from "../../../infra/lib/worker-user-data.js";

const script = workerBootScript({
  bundleZip: "/tmp/bundle.zip",
  environment: { LONGBOW_QUEUE_URL: "https://sqs.example/q", LONGBOW_TABLE_NAME: "t" },
  logGroupName: "workers",
  lifecycleHookName: "drain-hook",
  drainTimeoutSeconds: 300,
  region: "cn-north-1",
}).join("\n");

describe("worker boot script", () => {
  it("enables BBR persistently before anything else runs", () => {
    expect(script).toMatch(/net\.core\.default_qdisc = fq\nnet\.ipv4\.tcp_congestion_control = bbr/);
    expect(script.indexOf("sysctl --system")).toBeLessThan(script.indexOf("dnf install"));
  });

  it("writes the environment file the unit reads", () => {
    expect(script).toContain("LONGBOW_QUEUE_URL=https://sqs.example/q\nLONGBOW_TABLE_NAME=t");
    expect(script).toContain("EnvironmentFile=/etc/longbow/worker.env");
  });

  it("stops the worker with SIGTERM and the drain timeout, then completes the lifecycle hook", () => {
    expect(script).toContain("KillSignal=SIGTERM");
    expect(script).toContain("TimeoutStopSec=300");
    expect(script).toContain("meta-data/autoscaling/target-lifecycle-state");
    expect(script).toContain("meta-data/spot/instance-action");
    expect(script).toMatch(
      /systemctl stop longbow-worker\.service\n\s+aws autoscaling complete-lifecycle-action/,
    );
    expect(script).toContain("--region cn-north-1 --lifecycle-hook-name drain-hook");
  });

  it("installs no SQLite module: the bundle loads it only in local mode, which the fleet never runs", () => {
    expect(script).not.toContain("better-sqlite3");
    expect(script).not.toContain("node_modules");
  });

  it("ships the worker's log and memory/disk metrics with the CloudWatch agent", () => {
    const config = script.match(
      /amazon-cloudwatch-agent\/etc\/longbow\.json <<'LONGBOW_EOF'\n(.*)\nLONGBOW_EOF/,
    );
    const parsed = JSON.parse(config?.[1] ?? "{}");
    expect(parsed.logs.logs_collected.files.collect_list[0]).toMatchObject({
      file_path: "/var/log/longbow/worker.log",
      log_group_name: "workers",
    });
    expect(Object.keys(parsed.metrics.metrics_collected)).toEqual(expect.arrayContaining(["mem", "disk"]));
  });
});
