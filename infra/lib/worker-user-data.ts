/**
 * The boot script of a worker instance, as shell lines. Kept apart from the construct so the
 * script reads top to bottom and tests can assert on it.
 */

/** Inputs of {@link workerBootScript}; values may be CDK tokens. */
export interface WorkerBootScriptOptions {
  /** Local path of the downloaded bundle zip (the CDK asset). */
  readonly bundleZip: string;
  /** `KEY=value` lines of the worker's environment file. */
  readonly environment: Readonly<Record<string, string>>;
  /** CloudWatch log group the agent ships the worker's log to. */
  readonly logGroupName: string;
  /** Name of the termination lifecycle hook the drain watcher completes. */
  readonly lifecycleHookName: string;
  /** Seconds systemd waits after SIGTERM before SIGKILL. */
  readonly drainTimeoutSeconds: number;
  /** Region of the stack (a token). */
  readonly region: string;
}

/** Where things live on the instance. */
export const paths = {
  home: "/opt/longbow",
  envFile: "/etc/longbow/worker.env",
  logFile: "/var/log/longbow/worker.log",
  unit: "longbow-worker.service",
  drainUnit: "longbow-drain.service",
  node: "/usr/bin/node-22",
} as const;

function heredoc(file: string, body: string[]): string[] {
  // quoted delimiter: the shell expands nothing inside, so the file holds exactly these lines
  return [`cat > ${file} <<'LONGBOW_EOF'`, ...body, "LONGBOW_EOF"];
}

function cloudWatchAgentConfig(logGroupName: string): string {
  return JSON.stringify({
    agent: { metrics_collection_interval: 60 },
    metrics: {
      namespace: "CWAgent",
      append_dimensions: {
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the CloudWatch agent's own placeholder
        AutoScalingGroupName: "${aws:AutoScalingGroupName}",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the CloudWatch agent's own placeholder
        InstanceId: "${aws:InstanceId}",
      },
      aggregation_dimensions: [["AutoScalingGroupName"]],
      metrics_collected: {
        mem: { measurement: ["mem_used_percent"] },
        disk: { measurement: ["used_percent"], resources: ["/"], drop_device: true },
        netstat: { measurement: ["tcp_established"] },
      },
    },
    logs: {
      logs_collected: {
        files: {
          collect_list: [
            // the worker's stdout: pino JSON lines plus the EMF lines CloudWatch turns into metrics
            {
              file_path: paths.logFile,
              log_group_name: logGroupName,
              log_stream_name: "{instance_id}/worker",
            },
            {
              file_path: "/var/log/cloud-init-output.log",
              log_group_name: logGroupName,
              log_stream_name: "{instance_id}/boot",
            },
          ],
        },
      },
    },
  });
}

function drainWatcher(o: WorkerBootScriptOptions): string[] {
  return [
    "#!/bin/bash",
    "# Waits for a scale-in (lifecycle hook) or a Spot interruption notice, stops the worker",
    "# (SIGTERM: it drains), then lets the Auto Scaling group finish the termination.",
    "set -u",
    "imds() {",
    "  local token",
    "  token=$(curl -sf -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 60') || return 1",
    '  curl -sf -H "X-aws-ec2-metadata-token: $token" "http://169.254.169.254/latest/$1"',
    "}",
    "while true; do",
    '  if [ "$(imds meta-data/autoscaling/target-lifecycle-state)" = "Terminated" ] || imds meta-data/spot/instance-action >/dev/null; then',
    `    systemctl stop ${paths.unit}`,
    "    aws autoscaling complete-lifecycle-action --lifecycle-action-result CONTINUE \\",
    `      --region ${o.region} --lifecycle-hook-name ${o.lifecycleHookName} \\`,
    '      --auto-scaling-group-name "$(imds meta-data/tags/instance/aws:autoscaling:groupName)" \\',
    '      --instance-id "$(imds meta-data/instance-id)" || true',
    "    exit 0",
    "  fi",
    "  sleep 5",
    "done",
  ];
}

/** The whole boot script. */
export function workerBootScript(o: WorkerBootScriptOptions): string[] {
  const env = Object.entries(o.environment).map(([k, v]) => `${k}=${v}`);
  return [
    "set -euxo pipefail",
    "# TCP BBR: about 2.5x the throughput of cubic on the long, lossy path across the border",
    ...heredoc("/etc/sysctl.d/90-longbow-bbr.conf", [
      "net.core.default_qdisc = fq",
      "net.ipv4.tcp_congestion_control = bbr",
    ]),
    "modprobe tcp_bbr || true",
    "sysctl --system",
    "dnf install -y nodejs22 amazon-cloudwatch-agent unzip logrotate",
    "id longbow || useradd --system --no-create-home --shell /sbin/nologin longbow",
    `mkdir -p ${paths.home} /etc/longbow /var/log/longbow`,
    `unzip -o ${o.bundleZip} -d ${paths.home}`,
    // no node_modules: the engine loads the native SQLite module of local mode only when asked
    "chown longbow /var/log/longbow",
    ...heredoc(paths.envFile, env),
    ...heredoc("/etc/logrotate.d/longbow", [
      "/var/log/longbow/*.log {",
      "  daily",
      "  rotate 3",
      "  compress",
      "  missingok",
      "  copytruncate",
      "}",
    ]),
    ...heredoc("/opt/aws/amazon-cloudwatch-agent/etc/longbow.json", [cloudWatchAgentConfig(o.logGroupName)]),
    "/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:/opt/aws/amazon-cloudwatch-agent/etc/longbow.json",
    ...heredoc(`/etc/systemd/system/${paths.unit}`, [
      "[Unit]",
      "Description=Longbow worker (longbow work)",
      "Wants=network-online.target",
      "After=network-online.target",
      "StartLimitIntervalSec=0",
      "",
      "[Service]",
      "Type=simple",
      "User=longbow",
      `EnvironmentFile=${paths.envFile}`,
      // GC on the main thread: a batch mover has no use for short pauses, and on 2 vCPUs the
      // background GC threads compete with the copy (7 % more CPU before GETs read into part
      // buffers, within noise since; bench/RESULTS.md)
      `ExecStart=${paths.node} --single-threaded-gc ${paths.home}/longbow.mjs work`,
      "Restart=on-failure",
      "RestartSec=5",
      "# stop = SIGTERM to the worker, which stops receiving and drains its jobs",
      "KillSignal=SIGTERM",
      "KillMode=mixed",
      `TimeoutStopSec=${o.drainTimeoutSeconds}`,
      "LimitNOFILE=65536",
      `StandardOutput=append:${paths.logFile}`,
      `StandardError=append:${paths.logFile}`,
      "",
      "[Install]",
      "WantedBy=multi-user.target",
    ]),
    ...heredoc(`${paths.home}/drain-watch.sh`, drainWatcher(o)),
    `chmod 755 ${paths.home}/drain-watch.sh`,
    ...heredoc(`/etc/systemd/system/${paths.drainUnit}`, [
      "[Unit]",
      "Description=Longbow drain watcher (scale-in and Spot interruption)",
      `After=${paths.unit}`,
      "",
      "[Service]",
      `ExecStart=${paths.home}/drain-watch.sh`,
      "Restart=on-failure",
      "",
      "[Install]",
      "WantedBy=multi-user.target",
    ]),
    "systemctl daemon-reload",
    `systemctl enable --now ${paths.unit} ${paths.drainUnit}`,
  ];
}
