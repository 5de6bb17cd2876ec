import { Match } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { cfnLint, nagFindings, type Synthesized, statementsOf, synthesize, userDataOf } from "./synth.js";

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
      github: { repository: "acme/longbow-fork" },
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
  it("sends ObjectCreated events to the job queue", () => {
    s.template.hasResourceProperties("AWS::S3::Bucket", {
      NotificationConfiguration: {
        QueueConfigurations: [
          { Event: "s3:ObjectCreated:*", Queue: { "Fn::GetAtt": [Match.stringLikeRegexp("^Jobs"), "Arn"] } },
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

  it("lets only the main branch or the deploy environment of the repository deploy, through the CDK bootstrap roles", () => {
    s.template.hasResourceProperties("AWS::IAM::Role", {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
              StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com.cn" },
              StringLike: {
                "token.actions.githubusercontent.com:sub": [
                  "repo:acme/longbow-fork:ref:refs/heads/main",
                  "repo:acme/longbow-fork:environment:longbow-production",
                ],
              },
            },
          }),
        ],
      },
    });
    const deploy = asString(statementsOf(s.template, "GitHubDeploy"));
    expect(deploy).toContain(":role/cdk-*");
    expect(deploy).toContain("ssm:PutParameter");
    expect(deploy).not.toContain("s3:");
  });

  const trustedSubjects = (rolePrefix: string): unknown => {
    const roles = s.template.findResources("AWS::IAM::Role");
    const [, role] = Object.entries(roles).find(([id]) => id.startsWith(rolePrefix)) ?? [];
    return role?.Properties.AssumeRolePolicyDocument.Statement[0].Condition.StringLike[
      "token.actions.githubusercontent.com:sub"
    ];
  };

  it("lets pull requests of the repository only list buckets and read the credentials parameter", () => {
    expect(trustedSubjects("GitHubPlan")).toEqual(["repo:acme/longbow-fork:pull_request"]);
    const plan = statementsOf(s.template, "GitHubPlan");
    expect(plan.flatMap((st) => [st.Action].flat()).sort()).toEqual([
      "s3:ListBucket",
      "s3:ListBucketVersions",
      "ssm:GetParameter",
    ]);
    expect(asString(plan)).toContain(":s3:::dst-china");
  });

  it("lets the main branch send jobs and write the ledger, and report read them", () => {
    expect(trustedSubjects("GitHubSync")).toEqual(["repo:acme/longbow-fork:ref:refs/heads/main"]);
    expect(trustedSubjects("GitHubReport")).toEqual(["repo:acme/longbow-fork:ref:refs/heads/main"]);
    const sync = asString(statementsOf(s.template, "GitHubSync"));
    expect(sync).toContain("sqs:SendMessage");
    expect(sync).toContain("dynamodb:PutItem");
    expect(sync).not.toContain("s3:GetObject");
    expect(sync).not.toContain("ssm:PutParameter");
    const report = asString(statementsOf(s.template, "GitHubReport"));
    expect(report).toContain("sqs:GetQueueAttributes");
    expect(report).not.toMatch(/sqs:SendMessage|dynamodb:PutItem|dynamodb:UpdateItem|s3:/);
  });
});

describe("checks on the whole template", () => {
  it("has no unacknowledged cdk-nag AwsSolutions finding", () => {
    expect(nagFindings(s.app)).toEqual([]);
  }, 60_000);

  it("is clean under cfn-lint", () => {
    const { status, output } = cfnLint(s.templateFile);
    expect(output).toBe("");
    expect(status).toBe(0);
  }, 60_000);
});
