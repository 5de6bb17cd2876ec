import { Duration, RemovalPolicy, Validations } from "aws-cdk-lib";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";

/** Props of {@link JobQueue}. */
export interface JobQueueProps {
  /**
   * How long a received job stays hidden until its worker's first heartbeat takes over.
   * @defaultValue 900 seconds (the Lambda maximum, so the Lambda worker fits)
   */
  readonly visibilityTimeout?: Duration;
  /** Receives before a job is moved to the dead-letter queue. @defaultValue 24 (as the original) */
  readonly maxReceiveCount?: number;
  /** How long jobs and dead letters are kept. @defaultValue 14 days (the SQS maximum) */
  readonly retentionPeriod?: Duration;
}

/** The job queue (one message = one object) and its dead-letter queue. */
export class JobQueue extends Construct {
  /** Where `longbow send` puts jobs and workers receive them. */
  public readonly queue: sqs.Queue;
  /** Jobs that failed `maxReceiveCount` times; the alarm fires on any message here. */
  public readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: JobQueueProps = {}) {
    super(scope, id);
    const retentionPeriod = props.retentionPeriod ?? Duration.days(14);
    const maxReceiveCount = props.maxReceiveCount ?? 24;
    if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1 || maxReceiveCount > 1000) {
      throw new Error(`maxReceiveCount must be a whole number between 1 and 1000, got ${maxReceiveCount}`);
    }
    this.deadLetterQueue = new sqs.Queue(this, "DeadLetters", {
      retentionPeriod,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // dead letters are the record of what failed: keep them past a stack deletion
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: "AwsSolutions-SQS3",
      reason: "This is the dead-letter queue; a dead-letter queue of its own would only move the problem.",
    });
    this.queue = new sqs.Queue(this, "Jobs", {
      visibilityTimeout: props.visibilityTimeout ?? Duration.seconds(900),
      retentionPeriod,
      // S3 event notifications can publish to SSE-SQS queues but not to ones using the AWS-managed KMS key
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount },
    });
  }
}
