/** Where EMF lines go: one JSON document per line. */
export type MetricsWriter = (line: string) => void;

/** Names the cluster's dashboard and alarms read (infra's `workerMetrics`). */
export const metricNames = {
  namespace: "Longbow",
  dimension: "Migration",
  bytesCopied: "BytesCopied",
  objectsCopied: "ObjectsCopied",
  objectsFailed: "ObjectsFailed",
  jobDuration: "JobDuration",
} as const;

/** What one finished job contributes to the metrics. */
export interface JobMetrics {
  migration: string;
  /** Bytes moved by this attempt. */
  bytesCopied: number;
  /** 1 when the object is now at the destination (copied or already identical). */
  objectsCopied: number;
  /** 1 when the job was given up on. */
  objectsFailed: number;
  durationMs: number;
}

export interface EmfMetricsOptions {
  /** @defaultValue a line on standard output, where the CloudWatch agent collects it */
  write?: MetricsWriter;
  /** @defaultValue "Longbow" */
  namespace?: string;
  /** Milliseconds since the epoch. @defaultValue Date.now */
  now?: () => number;
}

/**
 * Job metrics in CloudWatch Embedded Metric Format: each finished job writes one JSON line
 * that CloudWatch Logs turns into the metrics BytesCopied, ObjectsCopied, ObjectsFailed
 * and JobDuration with the dimension Migration; no metric filters, no PutMetricData calls.
 */
export class EmfMetrics {
  private readonly write: MetricsWriter;
  private readonly namespace: string;
  private readonly now: () => number;

  constructor(options: EmfMetricsOptions = {}) {
    this.write = options.write ?? ((line) => process.stdout.write(`${line}\n`));
    this.namespace = options.namespace ?? metricNames.namespace;
    this.now = options.now ?? Date.now;
  }

  jobFinished(m: JobMetrics): void {
    const doc = {
      _aws: {
        Timestamp: this.now(),
        CloudWatchMetrics: [
          {
            Namespace: this.namespace,
            Dimensions: [[metricNames.dimension]],
            Metrics: [
              { Name: metricNames.bytesCopied, Unit: "Bytes" },
              { Name: metricNames.objectsCopied, Unit: "Count" },
              { Name: metricNames.objectsFailed, Unit: "Count" },
              { Name: metricNames.jobDuration, Unit: "Milliseconds" },
            ],
          },
        ],
      },
      [metricNames.dimension]: m.migration,
      [metricNames.bytesCopied]: m.bytesCopied,
      [metricNames.objectsCopied]: m.objectsCopied,
      [metricNames.objectsFailed]: m.objectsFailed,
      [metricNames.jobDuration]: m.durationMs,
    };
    this.write(JSON.stringify(doc));
  }
}
