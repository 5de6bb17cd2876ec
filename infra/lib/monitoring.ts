import { Duration } from "aws-cdk-lib";
import type * as autoscaling from "aws-cdk-lib/aws-autoscaling";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as actions from "aws-cdk-lib/aws-cloudwatch-actions";
import * as logs from "aws-cdk-lib/aws-logs";
import type * as sns from "aws-cdk-lib/aws-sns";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { metricNames } from "../../worker/src/metrics/index.js";

/** Namespace, metric and dimension names the worker emits in Embedded Metric Format: the engine's own table. */
export const workerMetrics = metricNames;

/** Props of {@link Monitoring}. */
export interface MonitoringProps {
  readonly queue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
  readonly group: autoscaling.IAutoScalingGroup;
  /** The workers' log group (pino JSON lines). */
  readonly logGroup: logs.ILogGroup;
  /** Alarm notifications go here. */
  readonly topic: sns.ITopic;
  /** How long a backlog may sit with no byte moved before the stall alarm fires. @defaultValue Duration.minutes(15) */
  readonly stallAfter?: Duration;
  /** @defaultValue "Longbow" */
  readonly dashboardName?: string;
}

/** Sum over every migration: one Metrics Insights query instead of one metric per migration. */
function allMigrations(metricName: string, label: string, period: Duration): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: `SELECT SUM(${metricName}) FROM SCHEMA("${workerMetrics.namespace}", ${workerMetrics.dimension})`,
    usingMetrics: {},
    label,
    period,
  });
}

/**
 * The dashboard (throughput, errors, queue, fleet) and the two alarms that page: a
 * dead-lettered job, and a backlog with no bytes moving.
 */
export class Monitoring extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;
  public readonly deadLetterAlarm: cloudwatch.Alarm;
  public readonly stalledAlarm: cloudwatch.CompositeAlarm;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const minute = Duration.minutes(1);
    const stallAfter = props.stallAfter ?? Duration.minutes(15);
    const q = props.queue;
    const groupName = props.group.autoScalingGroupName;
    const groupDims = { AutoScalingGroupName: groupName };

    const errorFilter = new logs.MetricFilter(this, "ErrorLogs", {
      logGroup: props.logGroup,
      // the engine's logger writes level labels, not pino's numbers
      filterPattern: logs.FilterPattern.any(
        logs.FilterPattern.stringValue("$.level", "=", "error"),
        logs.FilterPattern.stringValue("$.level", "=", "fatal"),
      ),
      metricNamespace: workerMetrics.namespace,
      metricName: "ErrorLogLines",
      metricValue: "1",
      defaultValue: 0,
    });

    this.deadLetterAlarm = props.deadLetterQueue
      .metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: "Maximum" })
      .createAlarm(this, "DeadLetters", {
        alarmDescription:
          "Longbow: jobs reached the dead-letter queue after every retry. See `longbow report`.",
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    this.deadLetterAlarm.addAlarmAction(new actions.SnsAction(props.topic));

    const backlog = q
      .metricApproximateNumberOfMessagesVisible({ period: stallAfter, statistic: "Minimum" })
      .createAlarm(this, "Backlog", {
        alarmDescription: "Longbow: jobs have been waiting for the whole period (input of the stall alarm).",
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    const noBytes = allMigrations(workerMetrics.bytesCopied, "Bytes copied", stallAfter).createAlarm(
      this,
      "NoBytesMoved",
      {
        alarmDescription: "Longbow: no bytes copied in the period (input of the stall alarm).",
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        // no datapoint means no worker reported a byte
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      },
    );
    this.stalledAlarm = new cloudwatch.CompositeAlarm(this, "Stalled", {
      alarmDescription: `Longbow: jobs are waiting but no bytes moved for ${stallAfter.toMinutes()} minutes. Check the workers' logs and the credentials parameter.`,
      alarmRule: cloudwatch.AlarmRule.allOf(
        cloudwatch.AlarmRule.fromAlarm(backlog, cloudwatch.AlarmState.ALARM),
        cloudwatch.AlarmRule.fromAlarm(noBytes, cloudwatch.AlarmState.ALARM),
      ),
    });
    this.stalledAlarm.addAlarmAction(new actions.SnsAction(props.topic));

    const perMigration = (metricName: string, fn = "SUM") =>
      new cloudwatch.MathExpression({
        expression: `SELECT ${fn}(${metricName}) FROM SCHEMA("${workerMetrics.namespace}", ${workerMetrics.dimension}) GROUP BY ${workerMetrics.dimension}`,
        usingMetrics: {},
        label: metricName,
        period: minute,
      });
    const groupMetric = (namespace: string, metricName: string, statistic = "Average") =>
      new cloudwatch.Metric({ namespace, metricName, dimensionsMap: groupDims, period: minute, statistic });

    this.dashboard = new cloudwatch.Dashboard(this, "Dashboard", {
      dashboardName: props.dashboardName ?? "Longbow",
      defaultInterval: Duration.hours(6),
    });
    const graph = (title: string, left: cloudwatch.IMetric[], right: cloudwatch.IMetric[] = []) =>
      new cloudwatch.GraphWidget({ title, left, right, width: 8, height: 6 });
    this.dashboard.addWidgets(
      graph("Bytes copied per minute", [perMigration(workerMetrics.bytesCopied)]),
      graph("Objects copied per minute", [perMigration(workerMetrics.objectsCopied)]),
      graph(
        "Errors",
        [perMigration(workerMetrics.objectsFailed)],
        [errorFilter.metric({ period: minute, statistic: "Sum", label: "error log lines" })],
      ),
    );
    this.dashboard.addWidgets(
      graph("Jobs: waiting / in flight / dead", [
        q.metricApproximateNumberOfMessagesVisible({
          period: minute,
          statistic: "Maximum",
          label: "waiting",
        }),
        q.metricApproximateNumberOfMessagesNotVisible({
          period: minute,
          statistic: "Maximum",
          label: "in flight",
        }),
        props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: minute,
          statistic: "Maximum",
          label: "dead",
        }),
      ]),
      graph("Fleet capacity", [
        groupMetric("AWS/AutoScaling", "GroupDesiredCapacity", "Maximum"),
        groupMetric("AWS/AutoScaling", "GroupInServiceInstances", "Maximum"),
      ]),
      graph("Job duration (average)", [perMigration(workerMetrics.jobDuration, "AVG")]),
    );
    this.dashboard.addWidgets(
      graph("CPU %", [groupMetric("AWS/EC2", "CPUUtilization")]),
      graph("Memory used %", [groupMetric("CWAgent", "mem_used_percent")]),
      graph(
        "Disk used %",
        [groupMetric("CWAgent", "disk_used_percent")],
        [groupMetric("CWAgent", "netstat_tcp_established")],
      ),
    );
  }
}
