import { Annotations, Match } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import {
  arnProblem,
  arnsOf,
  cfnLint,
  nagFindings,
  type Synthesized,
  statementsOf,
  synthesize,
  userDataOf,
} from "./synth.js";

// Every optional part switched on, deployed in the China partition: only the China side of a
// migration is granted to the fleet's role.
let s: Synthesized;
beforeAll(() => {
  s = synthesize(
    {
      stackName: "LongbowChina",
      partition: "aws-cn",
      minCapacity: 0,
      maxCapacity: 20,
      onDemandBaseCapacity: 1,
      instanceTypes: ["c6i.xlarge", "c5.xlarge"],
      credentialsParameter: "global-keys",
      worker: { filesInParallel: 8, byteBudgetMiB: 2048, logLevel: "debug" },
      lambdaWorker: { enabled: true, maxConcurrency: 5, timeoutSeconds: 600 },
      triggerBucket: true,
      github: { repository: "acme/longbow-fork", planCredentialsParameter: "/longbow/china-plan-read-only" },
    },
    [
      {
        name: "from-global",
        source: {
          bucket: "src-global",
          prefix: "data/",
          region: "us-east-1",
          credentials: { ssmParameter: "global-keys" },
        },
        destination: { bucket: "dst-china", prefix: "mirror/", region: "cn-north-1" },
      },
    ],
  );
}, 120_000);

const asString = (v: unknown) => JSON.stringify(v);

describe("partition", () => {
  it("grants the China destination and not the global source", () => {
    const all = asString(statementsOf(s.template, "WorkersRole"));
    expect(all).toContain(":s3:::dst-china/mirror/*");
    expect(all).not.toContain("src-global");
    expect(asString(s.template.toJSON())).not.toMatch(/arn:aws(-cn)?:/);
  });

  it("keeps an on-demand base under the Spot capacity, and a minimum of zero", () => {
    s.template.hasResourceProperties("AWS::AutoScaling::AutoScalingGroup", {
      MinSize: "0",
      MaxSize: "20",
      MixedInstancesPolicy: Match.objectLike({
        InstancesDistribution: Match.objectLike({ OnDemandBaseCapacity: 1 }),
        LaunchTemplate: Match.objectLike({
          Overrides: [{ InstanceType: "c6i.xlarge" }, { InstanceType: "c5.xlarge" }],
        }),
      }),
    });
  });

  it("starts one instance for a small backlog when the fleet is at zero", () => {
    s.template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Metrics: Match.arrayWith([Match.objectLike({ Expression: "IF(visible >= 1 AND desired == 0, 1, 0)" })]),
      AlarmActions: [{ Ref: Match.stringLikeRegexp("^ScalingStartOne") }],
    });
    s.template.hasResourceProperties("AWS::AutoScaling::ScalingPolicy", {
      AdjustmentType: "ExactCapacity",
      StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }],
    });
  });

  it("passes the configured engine settings to the workers, in MiB", () => {
    const script = userDataOf(s.template);
    expect(script).toContain("LONGBOW_FILES_IN_PARALLEL=8");
    expect(script).toContain("LONGBOW_BYTE_BUDGET_MB=2048");
    expect(script).toContain("LONGBOW_LOG_LEVEL=debug");
    expect(script).toContain("LONGBOW_CREDENTIALS_PARAMETER=global-keys");
    expect(script).not.toContain("LONGBOW_PARTS_IN_PARALLEL");
  });
});

describe("Lambda worker", () => {
  it("runs the same bundle on Node 22 with the stack's environment", () => {
    s.template.hasResourceProperties("AWS::Lambda::Function", {
      Runtime: "nodejs22.x",
      Handler: "lambda.handler",
      MemorySize: 3008,
      Timeout: 600,
      Environment: {
        Variables: Match.objectLike({ LONGBOW_JOB_TIMEOUT_SECONDS: "570", LONGBOW_FILES_IN_PARALLEL: "8" }),
      },
    });
  });

  it("takes one job per invocation from the queue, reports failures per item, with bounded concurrency", () => {
    s.template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      EventSourceArn: { "Fn::GetAtt": [Match.stringLikeRegexp("^Jobs"), "Arn"] },
      BatchSize: 1,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      ScalingConfig: { MaximumConcurrency: 5 },
    });
  });

  it("gets the same least-privilege bucket access as the instances", () => {
    const lambda = asString(statementsOf(s.template, "LambdaWorkerFunctionServiceRole"));
    expect(lambda).toContain(":s3:::dst-china/mirror/*");
    expect(lambda).toContain(":parameter/global-keys");
  });
});

describe("trigger bucket", () => {
  it("sends ObjectCreated and ObjectRemoved events to the job queue", () => {
    const jobs = { "Fn::GetAtt": [Match.stringLikeRegexp("^Jobs"), "Arn"] };
    s.template.hasResourceProperties("AWS::S3::Bucket", {
      NotificationConfiguration: {
        QueueConfigurations: [
          { Event: "s3:ObjectCreated:*", Queue: jobs },
          { Event: "s3:ObjectRemoved:*", Queue: jobs },
        ],
      },
    });
    s.template.hasResourceProperties("AWS::SQS::QueuePolicy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: "sqs:SendMessage",
            Principal: { Service: "s3.amazonaws.com" },
            Condition: { StringEquals: { "aws:SourceAccount": { Ref: "AWS::AccountId" } } },
          }),
        ]),
      },
    });
  });
});

describe("GitHub OIDC roles", () => {
  it("trusts GitHub's token with the China audience", () => {
    s.template.hasResourceProperties("AWS::IAM::OIDCProvider", {
      Url: "https://token.actions.githubusercontent.com",
      ClientIdList: ["sts.amazonaws.com.cn"],
    });
  });

  const trustOf = (rolePrefix: string): unknown => {
    const roles = s.template.findResources("AWS::IAM::Role");
    const [, role] = Object.entries(roles).find(([id]) => id.startsWith(rolePrefix)) ?? [];
    return role?.Properties.AssumeRolePolicyDocument.Statement;
  };
  /** The one statement of a role's trust policy: this exact subject, China audience, nothing else. */
  const trusts = (subject: string) => [
    expect.objectContaining({
      Action: "sts:AssumeRoleWithWebIdentity",
      Effect: "Allow",
      Condition: {
        StringEquals: {
          "token.actions.githubusercontent.com:aud": "sts.amazonaws.com.cn",
          "token.actions.githubusercontent.com:sub": subject,
        },
      },
    }),
  ];
  const actionsOf = (rolePrefix: string) =>
    statementsOf(s.template, rolePrefix)
      .flatMap((st) => [st.Action].flat())
      .sort();

  it("lets only the protected deploy environment deploy, not a branch, through the CDK bootstrap roles", () => {
    expect(trustOf("GitHubDeploy")).toEqual(trusts("repo:acme/longbow-fork:environment:longbow-production"));
    expect(asString(trustOf("GitHubDeploy"))).not.toContain("ref:refs/heads");
    expect(asString(trustOf("GitHubDeploy"))).not.toContain("StringLike");
    const deploy = asString(statementsOf(s.template, "GitHubDeploy"));
    expect(deploy).toContain(":role/cdk-*");
    expect(actionsOf("GitHubDeploy")).toEqual([
      "ssm:DeleteParameters",
      "ssm:GetParametersByPath",
      "ssm:PutParameter",
      "sts:AssumeRole",
    ]);
  });

  it("lets pull requests only list the buckets and read the read-only plan key, never the fleet's write key", () => {
    expect(trustOf("GitHubPlan")).toEqual(trusts("repo:acme/longbow-fork:pull_request"));
    // listing, the read-only key, and the ledger's provenance lookup (read only)
    expect(actionsOf("GitHubPlan")).toEqual([
      "dynamodb:BatchGetItem",
      "s3:ListBucket",
      "s3:ListBucketVersions",
      "ssm:GetParameter",
    ]);
    const plan = asString(statementsOf(s.template, "GitHubPlan"));
    expect(plan).toContain(":s3:::dst-china");
    expect(plan).toContain(":parameter/longbow/china-plan-read-only");
    // the fleet's key (credentialsParameter) and the keys migrations name
    expect(plan).not.toContain("global-keys");
    expect(plan).not.toMatch(/s3:(Get|Put|Delete)/);
  });

  it("lets the main branch send jobs and write the ledger, and report read them, with only the calls they make", () => {
    expect(trustOf("GitHubSync")).toEqual(trusts("repo:acme/longbow-fork:ref:refs/heads/main"));
    expect(trustOf("GitHubReport")).toEqual(trusts("repo:acme/longbow-fork:ref:refs/heads/main"));
    expect(actionsOf("GitHubSync")).toEqual([
      "dynamodb:BatchGetItem",
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:UpdateItem",
      // the sweep of unfinished uploads of finished objects, after the compare
      "s3:AbortMultipartUpload",
      "s3:ListBucket",
      "s3:ListBucketMultipartUploads",
      "s3:ListBucketVersions",
      "sqs:GetQueueAttributes",
      "sqs:GetQueueAttributes",
      "sqs:GetQueueUrl",
      "sqs:SendMessage",
      "ssm:GetParameter",
      "ssm:GetParametersByPath",
    ]);
    expect(actionsOf("GitHubReport")).toEqual([
      "dynamodb:Query",
      "sqs:GetQueueAttributes",
      "sqs:GetQueueAttributes",
      "sqs:GetQueueUrl",
    ]);
    // SendMessage only to the job queue, GetQueueUrl only for the dead-letter queue
    for (const role of ["GitHubSync", "GitHubReport"]) {
      for (const st of statementsOf(s.template, role)) {
        const actions = [st.Action].flat();
        if (actions.includes("sqs:SendMessage")) expect(asString(st.Resource)).toMatch(/"Jobs3A3E4888"/);
        if (actions.includes("sqs:GetQueueUrl")) expect(asString(st.Resource)).toMatch(/JobsDeadLetters/);
      }
    }
    const report = asString(statementsOf(s.template, "GitHubReport"));
    expect(report).toContain("/index/gsi1");
    expect(report).not.toContain("/index/*");
  });
});

describe("alarms without a subscriber", () => {
  it("warns loudly at synth when no notificationEmail is set", () => {
    Annotations.fromStack(s.stack).hasWarning(
      "/LongbowChina/Notifications",
      Match.stringLikeRegexp(
        "notificationEmail is not set: the dead-letter and stall alarms .* no subscriber",
      ),
    );
    s.template.resourceCountIs("AWS::SNS::Subscription", 0);
    s.template.hasOutput("NotificationsTopicArn", {});
  });
});

describe("checks on the whole template", () => {
  it("spells every ARN well: partition from AWS::Partition, no empty path segment", () => {
    const arns = arnsOf(s.template);
    expect(arns.length).toBeGreaterThan(10);
    expect(arns.filter(({ arn }) => arnProblem(arn) !== undefined)).toEqual([]);
  });

  it("has no unacknowledged cdk-nag AwsSolutions finding", () => {
    expect(nagFindings(s.app)).toEqual([]);
  }, 60_000);

  it("is clean under cfn-lint", () => {
    const { status, output } = cfnLint(s.templateFile);
    expect(output).toBe("");
    expect(status).toBe(0);
  }, 60_000);
});
