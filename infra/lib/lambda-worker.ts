import { Duration } from "aws-cdk-lib";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import * as logs from "aws-cdk-lib/aws-logs";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { acknowledge } from "./nag.js";

/** Props of {@link LambdaWorker}. */
export interface LambdaWorkerProps {
  /** Directory of the built bundle; the same code the instances run. */
  readonly bundleDir: string;
  readonly queue: sqs.IQueue;
  /** The worker's environment; the job timeout is overridden to fit the function timeout. */
  readonly environment: Readonly<Record<string, string>>;
  /** @defaultValue "lambda.handler" */
  readonly handler?: string;
  /** @defaultValue 3008 */
  readonly memoryMiB?: number;
  /** @defaultValue Duration.minutes(15) */
  readonly timeout?: Duration;
  /** Most concurrent invocations the event source starts. @defaultValue 10 */
  readonly maxConcurrency?: number;
  /** @defaultValue logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The serverless worker (the original's hybrid mode): the engine as a Lambda function on
 * the same queue, one job per invocation, reporting failed jobs individually so the rest of
 * a batch is not retried.
 */
export class LambdaWorker extends Construct {
  public readonly function: lambda.Function;

  constructor(scope: Construct, id: string, props: LambdaWorkerProps) {
    super(scope, id);
    const timeout = props.timeout ?? Duration.minutes(15);
    // the runtime sets AWS_REGION itself and refuses it in the function's environment
    const { AWS_REGION: _region, ...environment } = props.environment;
    const logGroup = new logs.LogGroup(this, "Logs", {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
    });
    this.function = new lambda.Function(this, "Function", {
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.X86_64,
      code: lambda.Code.fromAsset(props.bundleDir),
      handler: props.handler ?? "lambda.handler",
      memorySize: props.memoryMiB ?? 3008,
      timeout,
      logGroup,
      environment: {
        ...environment,
        // stop the copy with time left to release the job; it resumes on the next receive
        LONGBOW_JOB_TIMEOUT_SECONDS: String(Math.max(1, timeout.toSeconds() - 30)),
      },
    });
    this.function.addEventSource(
      new SqsEventSource(props.queue, {
        batchSize: 1,
        reportBatchItemFailures: true,
        maxConcurrency: props.maxConcurrency ?? 10,
      }),
    );
    acknowledge(
      this.function,
      "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
      "The basic execution role only lets the function write its own logs.",
    );
    acknowledge(
      this.function,
      "AwsSolutions-L1",
      "Pinned to Node.js 22, the runtime the instances run and the engine is tested on.",
    );
  }
}
