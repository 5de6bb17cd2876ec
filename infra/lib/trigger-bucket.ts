import { Aws, RemovalPolicy } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import * as s3 from "aws-cdk-lib/aws-s3";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { acknowledge, nagArnRef } from "./nag.js";

/** Props of {@link TriggerBucket}. */
export interface TriggerBucketProps {
  /** The job queue; the bucket's ObjectCreated and ObjectRemoved events are delivered to it. */
  readonly queue: sqs.Queue;
}

/**
 * A bucket whose new objects are copied as soon as they land (the original's S3 trigger):
 * ObjectCreated notifications go straight to the job queue, and the worker turns each into
 * a job for the migration whose source is this bucket; ObjectRemoved ones become deletions
 * when that migration mirrors.
 */
export class TriggerBucket extends Construct {
  public readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: TriggerBucketProps) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, "Bucket", {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      this.bucket,
      "AwsSolutions-S1",
      "A drop-off bucket for transfers; CloudTrail data events are the audit trail if one is wanted.",
    );
    // Scoped by account, not bucket ARN: the bucket depends on this policy (S3 checks the
    // destination when the notification is created), so naming the bucket here would be a cycle.
    const grant = props.queue.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal("s3.amazonaws.com")],
        actions: ["sqs:SendMessage"],
        resources: [props.queue.queueArn],
        conditions: { StringEquals: { "aws:SourceAccount": Aws.ACCOUNT_ID } },
      }),
    );
    const cfnBucket = this.bucket.node.defaultChild as s3.CfnBucket;
    cfnBucket.notificationConfiguration = {
      // Removals too: a migration in mirror mode deletes the copy (conditionally, on the ETag
      // the ledger recorded); without mirror mode the worker logs the event and drops it.
      queueConfigurations: [
        { event: "s3:ObjectCreated:*", queue: props.queue.queueArn },
        { event: "s3:ObjectRemoved:*", queue: props.queue.queueArn },
      ],
    };
    if (grant.policyDependable !== undefined) cfnBucket.node.addDependency(grant.policyDependable);
  }

  /** Lets a worker read what lands in the bucket (it is the source of the migration that names it). */
  grantWorkerRead(role: iam.IRole): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectTagging", "s3:GetObjectVersionTagging"],
        resources: [this.bucket.arnForObjects("*")],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ["s3:ListBucket", "s3:ListBucketVersions"],
        resources: [this.bucket.bucketArn],
      }),
    );
    acknowledge(
      role,
      `AwsSolutions-IAM5[Resource::${nagArnRef(this.bucket)}/*]`,
      "Every object of the trigger bucket is there to be copied.",
    );
  }
}
