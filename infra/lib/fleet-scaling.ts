import { Duration } from "aws-cdk-lib";
import * as autoscaling from "aws-cdk-lib/aws-autoscaling";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import * as actions from "aws-cdk-lib/aws-cloudwatch-actions";
import type * as sns from "aws-cdk-lib/aws-sns";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";

/** Props of {@link FleetScaling}. */
export interface FleetScalingProps {
  readonly group: autoscaling.AutoScalingGroup;
  readonly queue: sqs.IQueue;
  /** Receives the one "batch finished" notice per batch. */
  readonly topic: sns.ITopic;
  /** The group's minimum, which a finished batch scales back to. */
  readonly minCapacity: number;
  /** Visible messages at which one, then two instances are added per period. @defaultValue [100, 500] */
  readonly scaleOutThresholds?: readonly [number, number];
  /** Period of the queue metrics. @defaultValue Duration.minutes(5) */
  readonly period?: Duration;
  /** How long the queue must stay empty before the batch counts as finished. @defaultValue 3 periods */
  readonly idlePeriods?: number;
}

/**
 * Scaling as the original: step scaling out on visible messages; back in to the minimum,
 * with one SNS notice, once visible + in-flight reach 0. The notice fires once per batch
 * because the alarm also requires desired capacity above the minimum, which the scale-in
 * itself resets: the alarm returns to OK instead of staying in ALARM.
 */
export class FleetScaling extends Construct {
  public readonly scaleOut: autoscaling.StepScalingPolicy;
  public readonly batchFinished: cloudwatch.Alarm;
  /** Only with a minimum of 0: starts one instance for a backlog below the first step. */
  public readonly wakeUp: cloudwatch.Alarm | undefined;

  constructor(scope: Construct, id: string, props: FleetScalingProps) {
    super(scope, id);
    const period = props.period ?? Duration.minutes(5);
    const [one, two] = props.scaleOutThresholds ?? [100, 500];
    const visible = props.queue.metricApproximateNumberOfMessagesVisible({ period, statistic: "Maximum" });
    const inFlight = props.queue.metricApproximateNumberOfMessagesNotVisible({
      period,
      statistic: "Maximum",
    });

    this.scaleOut = props.group.scaleOnMetric("ScaleOutOnBacklog", {
      metric: visible,
      adjustmentType: autoscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      scalingSteps: [
        { upper: one, change: 0 },
        { lower: one, upper: two, change: +1 },
        { lower: two, change: +2 },
      ],
      evaluationPeriods: 1,
    });

    const desired = new cloudwatch.Metric({
      namespace: "AWS/AutoScaling",
      metricName: "GroupDesiredCapacity",
      dimensionsMap: { AutoScalingGroupName: props.group.autoScalingGroupName },
      period,
      statistic: "Maximum",
    });
    const finished = new cloudwatch.MathExpression({
      label: "Batch finished (queue empty, fleet above minimum)",
      expression: `IF((visible + inflight) == 0 AND desired > ${props.minCapacity}, 1, 0)`,
      usingMetrics: { visible, inflight: inFlight, desired },
      period,
    });
    this.batchFinished = finished.createAlarm(this, "BatchFinished", {
      alarmDescription:
        "Longbow: the queue is empty (nothing waiting, nothing in flight); the fleet scales back to its minimum.",
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: props.idlePeriods ?? 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const scaleIn = new autoscaling.StepScalingAction(this, "ScaleInToMinimum", {
      autoScalingGroup: props.group,
      adjustmentType: autoscaling.AdjustmentType.EXACT_CAPACITY,
    });
    scaleIn.addAdjustment({ lowerBound: 0, adjustment: props.minCapacity });
    this.batchFinished.addAlarmAction(
      new actions.AutoScalingAction(scaleIn),
      new actions.SnsAction(props.topic),
    );

    if (props.minCapacity === 0) {
      // with no instance at all, a backlog below the first step would otherwise wait forever
      this.wakeUp = new cloudwatch.MathExpression({
        label: "Jobs waiting and no instance",
        expression: "IF(visible >= 1 AND desired == 0, 1, 0)",
        usingMetrics: { visible, desired },
        period,
      }).createAlarm(this, "WakeUp", {
        alarmDescription: "Longbow: jobs are waiting and the fleet is at zero; start one instance.",
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      const startOne = new autoscaling.StepScalingAction(this, "StartOne", {
        autoScalingGroup: props.group,
        adjustmentType: autoscaling.AdjustmentType.EXACT_CAPACITY,
      });
      startOne.addAdjustment({ lowerBound: 0, adjustment: 1 });
      this.wakeUp.addAlarmAction(new actions.AutoScalingAction(startOne));
    }
  }
}
