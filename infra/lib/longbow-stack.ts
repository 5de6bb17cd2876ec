import { Annotations, Aws, CfnOutput, Duration, Stack, type StackProps, Validations } from "aws-cdk-lib";
import * as logs from "aws-cdk-lib/aws-logs";
import * as sns from "aws-cdk-lib/aws-sns";
import * as subscriptions from "aws-cdk-lib/aws-sns-subscriptions";
import * as ssm from "aws-cdk-lib/aws-ssm";
import type { Construct } from "constructs";
import {
  bucketGrants,
  credentialsParameters,
  destinationKmsKeys,
  partitionBuckets,
  partitionDestinations,
} from "./bucket-grants.js";
import type { LongbowConfig, MigrationGrantSource } from "./config.js";
import { FleetScaling } from "./fleet-scaling.js";
import { GitHubRoles } from "./github-roles.js";
import { JobQueue } from "./job-queue.js";
import { LambdaWorker } from "./lambda-worker.js";
import { LedgerTable } from "./ledger-table.js";
import { Monitoring } from "./monitoring.js";
import { TriggerBucket } from "./trigger-bucket.js";
import { WorkerAccess } from "./worker-access.js";
import { workerEnvironment } from "./worker-environment.js";
import { WorkerFleet } from "./worker-fleet.js";

/** Props of {@link LongbowStack}. */
export interface LongbowStackProps extends StackProps {
  /** The resolved configuration (see `resolveConfig`). */
  readonly config: LongbowConfig;
  /** Migrations whose buckets the workers are granted, read from `migrations/` at synth time. */
  readonly migrations: readonly MigrationGrantSource[];
  /** Absolute path of the built worker bundle directory. */
  readonly bundleDir: string;
}

function retention(days: number): logs.RetentionDays {
  const known = Object.values(logs.RetentionDays).filter((v): v is number => typeof v === "number");
  const fit = known.filter((v) => v >= days).sort((a, b) => a - b)[0];
  return (fit ?? logs.RetentionDays.INFINITE) as logs.RetentionDays;
}

/**
 * TCP ports the workers connect out to: 443 (S3, SQS, DynamoDB, SSM, CloudWatch, packages)
 * plus the port of every custom endpoint an enabled migration names (an S3-compatible store
 * on `http://host:9000` needs 9000).
 */
export function egressPorts(migrations: readonly MigrationGrantSource[]): number[] {
  const ports = new Set([443]);
  for (const m of migrations) {
    if (m.enabled === false) continue;
    for (const side of [m.source, m.destination]) {
      if (side.endpoint === undefined || !URL.canParse(side.endpoint)) continue;
      const url = new URL(side.endpoint);
      ports.add(url.port !== "" ? Number(url.port) : url.protocol === "http:" ? 80 : 443);
    }
  }
  return [...ports].sort((a, b) => a - b);
}

/**
 * Everything Longbow runs on in one partition: queue, ledger, worker fleet with its scaling,
 * dashboard and alarms, SSM parameters, notifications, and the optional Lambda worker,
 * trigger bucket and GitHub roles. Environment-agnostic: synthesizes offline and deploys
 * in `aws` and `aws-cn` alike.
 */
export class LongbowStack extends Stack {
  public readonly jobs: JobQueue;
  public readonly ledger: LedgerTable;
  public readonly fleet: WorkerFleet;
  public readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: LongbowStackProps) {
    super(scope, id, props);
    const c = props.config;
    const grants = bucketGrants(props.migrations, c.partition);
    const logRetention = retention(c.logRetentionDays);

    this.topic = new sns.Topic(this, "Notifications", { displayName: "Longbow", enforceSSL: true });
    Validations.of(this.topic).acknowledge({
      id: "AwsSolutions-SNS2",
      reason:
        "Alarm and batch notices carry no data or secrets; CloudWatch cannot publish to a topic encrypted with the AWS-managed key.",
    });
    if (c.notificationEmail !== undefined) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(c.notificationEmail));
    } else {
      // Alarms (a dead-lettered job, a stalled fleet) would reach nobody: say so at every synth.
      Annotations.of(this.topic).addWarningV2(
        "longbow:no-alarm-subscriber",
        "notificationEmail is not set: the dead-letter and stall alarms publish to the Notifications topic, which has no subscriber. Set notificationEmail in infra/longbow.config.json, or subscribe to the topic (stack output NotificationsTopicArn) yourself (README, Deploy).",
      );
    }

    this.jobs = new JobQueue(this, "Jobs", {
      visibilityTimeout: Duration.seconds(c.visibilityTimeoutSeconds),
      maxReceiveCount: c.maxReceiveCount,
    });
    this.ledger = new LedgerTable(this, "Ledger");

    // For operators (what is deployed); the workers get the same values as LONGBOW_* variables.
    new ssm.StringParameter(this, "WorkerSettingsParameter", {
      parameterName: `${c.ssmPrefix}/worker-settings`,
      description: "Longbow worker settings as deployed (the workers get them as LONGBOW_* variables)",
      stringValue: JSON.stringify({ jobTimeoutSeconds: c.jobTimeoutSeconds, ...c.worker }),
    });
    new ssm.StringParameter(this, "MigrationsPathParameter", {
      parameterName: `${c.ssmPrefix}/migrations-path`,
      description: "SSM path under which `longbow publish` stores one parameter per migration",
      stringValue: c.migrationsPath,
    });

    const environment = workerEnvironment({
      region: Aws.REGION,
      queueUrl: this.jobs.queue.queueUrl,
      tableName: this.ledger.table.tableName,
      migrationsPath: c.migrationsPath,
      credentialsParameter: c.credentialsParameter,
      jobTimeoutSeconds: c.jobTimeoutSeconds,
      drainTimeoutSeconds: c.drainTimeoutSeconds,
      settings: c.worker,
    });

    this.fleet = new WorkerFleet(this, "Workers", {
      bundleDir: props.bundleDir,
      egressPorts: egressPorts(props.migrations),
      environment,
      instanceTypes: c.instanceTypes,
      minCapacity: c.minCapacity,
      maxCapacity: c.maxCapacity,
      onDemandBaseCapacity: c.onDemandBaseCapacity,
      onDemandPercentageAboveBase: c.onDemandPercentageAboveBase,
      drainTimeout: Duration.seconds(c.drainTimeoutSeconds),
      rootVolumeGiB: c.rootVolumeGiB,
      logRetention,
    });

    let trigger: TriggerBucket | undefined;
    if (c.triggerBucket) {
      trigger = new TriggerBucket(this, "Trigger", { queue: this.jobs.queue });
    }
    const parameters = [
      { name: c.credentialsParameter },
      ...credentialsParameters(props.migrations).filter((p) => p.name !== c.credentialsParameter || p.region),
    ];
    const access = {
      queue: this.jobs.queue,
      deadLetterQueue: this.jobs.deadLetterQueue,
      table: this.ledger.table,
      buckets: grants,
      credentialsParameters: parameters,
      migrationsPath: c.migrationsPath,
      destinationKmsKeys: destinationKmsKeys(props.migrations, c.partition),
      ...(c.credentialsKmsKeyArn === undefined ? {} : { credentialsKmsKeyArn: c.credentialsKmsKeyArn }),
    };
    new WorkerAccess(this, "WorkerAccess", { role: this.fleet.role, ...access });
    trigger?.grantWorkerRead(this.fleet.role);

    new FleetScaling(this, "Scaling", {
      group: this.fleet.group,
      queue: this.jobs.queue,
      topic: this.topic,
      minCapacity: c.minCapacity,
      scaleOutThresholds: c.scaleOutThresholds,
    });
    const monitoring = new Monitoring(this, "Monitoring", {
      queue: this.jobs.queue,
      deadLetterQueue: this.jobs.deadLetterQueue,
      group: this.fleet.group,
      logGroup: this.fleet.logGroup,
      topic: this.topic,
      dashboardName: c.stackName,
    });

    if (c.lambdaWorker.enabled) {
      const l = c.lambdaWorker;
      const worker = new LambdaWorker(this, "LambdaWorker", {
        bundleDir: props.bundleDir,
        queue: this.jobs.queue,
        environment,
        handler: l.handler,
        memoryMiB: l.memoryMiB,
        timeout: Duration.seconds(l.timeoutSeconds),
        maxConcurrency: l.maxConcurrency,
        logRetention,
      });
      const role = worker.function.role;
      if (role === undefined) throw new Error("the Lambda worker has no execution role");
      new WorkerAccess(this, "LambdaWorkerAccess", { role, ...access });
      trigger?.grantWorkerRead(role);
    }

    if (c.github !== undefined) {
      const planKey = c.github.planCredentialsParameter;
      if (
        planKey !== undefined &&
        parameters.some((p) => p.name.replace(/^\//, "") === planKey.replace(/^\//, ""))
      ) {
        throw new Error(
          `github.planCredentialsParameter '${planKey}' is a key the fleet or a migration uses; the plan needs a separate read-only key`,
        );
      }
      const roles = new GitHubRoles(this, "GitHub", {
        repository: c.github.repository,
        deployBranch: c.github.deployBranch,
        deployEnvironment: c.github.deployEnvironment,
        partition: c.partition,
        ...(c.github.oidcProviderArn === undefined ? {} : { oidcProviderArn: c.github.oidcProviderArn }),
        queue: this.jobs.queue,
        deadLetterQueue: this.jobs.deadLetterQueue,
        table: this.ledger.table,
        buckets: partitionBuckets(props.migrations, c.partition),
        destinations: partitionDestinations(props.migrations, c.partition),
        migrationsPath: c.migrationsPath,
        credentialsParameters: parameters,
        ...(planKey === undefined ? {} : { planCredentialsParameter: { name: planKey } }),
      });
      new CfnOutput(this, "GitHubDeployRoleArn", { value: roles.deployRole.roleArn });
      new CfnOutput(this, "GitHubPlanRoleArn", { value: roles.planRole.roleArn });
      new CfnOutput(this, "GitHubSyncRoleArn", { value: roles.syncRole.roleArn });
      new CfnOutput(this, "GitHubReportRoleArn", { value: roles.reportRole.roleArn });
    }

    new CfnOutput(this, "NotificationsTopicArn", { value: this.topic.topicArn });
    new CfnOutput(this, "QueueUrl", { value: this.jobs.queue.queueUrl });
    new CfnOutput(this, "DeadLetterQueueUrl", { value: this.jobs.deadLetterQueue.queueUrl });
    new CfnOutput(this, "TableName", { value: this.ledger.table.tableName });
    new CfnOutput(this, "MigrationsPath", { value: c.migrationsPath });
    new CfnOutput(this, "WorkerLogGroup", { value: this.fleet.logGroup.logGroupName });
    new CfnOutput(this, "DashboardName", { value: monitoring.dashboard.dashboardName });
    if (trigger) new CfnOutput(this, "TriggerBucketName", { value: trigger.bucket.bucketName });
  }
}
