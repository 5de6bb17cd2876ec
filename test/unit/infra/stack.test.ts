import { Match } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { egressPorts } from "../../../infra/lib/longbow-stack.js";
import {
  arnProblem,
  arnsOf,
  cfnLint,
  maskedTemplate,
  nagFindings,
  type Synthesized,
  statementsOf,
  synthesize,
  userDataOf,
} from "./synth.js";

// The default stack in the global partition, granted two migrations: one to China (only its
// source is local) and one within the global partition.
let s: Synthesized;
beforeAll(() => {
  s = synthesize({ notificationEmail: "ops@example.com" }, [
    {
      name: "to-china",
      source: { bucket: "src-global", prefix: "videos/", region: "us-east-1" },
      destination: {
        bucket: "dst-china",
        prefix: "from-global/",
        region: "cn-northwest-1",
        credentials: { ssmParameter: "china-keys" },
      },
    },
    {
      name: "within-global",
      source: { bucket: "src-other", region: "us-west-2" },
      destination: { bucket: "dst-global", prefix: "copy/", region: "us-east-1" },
    },
    {
      name: "switched-off",
      enabled: false,
      source: { bucket: "src-disabled", region: "us-east-1" },
      destination: { bucket: "dst-disabled", region: "us-east-1" },
    },
  ]);
}, 120_000);

const asString = (v: unknown) => JSON.stringify(v);

describe("queue and ledger", () => {
  it("sends a job to the dead-letter queue after 24 receives and hides it until the first heartbeat takes over", () => {
    s.template.resourceCountIs("AWS::SQS::Queue", 2);
    s.template.hasResourceProperties("AWS::SQS::Queue", {
      VisibilityTimeout: 900,
      SqsManagedSseEnabled: true,
      RedrivePolicy: {
        deadLetterTargetArn: { "Fn::GetAtt": [Match.stringLikeRegexp("^JobsDeadLetters"), "Arn"] },
        maxReceiveCount: 24,
      },
    });
  });

  it("keeps the ledger with the generic pk/sk schema, one GSI, on demand and with PITR", () => {
    s.template.hasResource("AWS::DynamoDB::Table", {
      DeletionPolicy: "Retain",
      Properties: {
        BillingMode: "PAY_PER_REQUEST",
        KeySchema: [
          { AttributeName: "pk", KeyType: "HASH" },
          { AttributeName: "sk", KeyType: "RANGE" },
        ],
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        GlobalSecondaryIndexes: [
          Match.objectLike({
            IndexName: "gsi1",
            KeySchema: [
              { AttributeName: "gsi1pk", KeyType: "HASH" },
              { AttributeName: "gsi1sk", KeyType: "RANGE" },
            ],
          }),
        ],
      },
    });
  });

  it("publishes the migrations path and the worker settings as SSM parameters, and no secret", () => {
    s.template.resourceCountIs("AWS::SSM::Parameter", 2);
    s.template.hasResourceProperties("AWS::SSM::Parameter", {
      Name: "/longbow/migrations-path",
      Type: "String",
      Value: "/longbow/migrations",
    });
    s.template.hasResourceProperties("AWS::SSM::Parameter", {
      Name: "/longbow/worker-settings",
      Value: Match.stringLikeRegexp('"jobTimeoutSeconds":3600'),
    });
  });

  it("mails alarms to the configured address", () => {
    s.template.hasResourceProperties("AWS::SNS::Subscription", {
      Protocol: "email",
      Endpoint: "ops@example.com",
    });
  });
});

describe("worker fleet", () => {
  it("runs in a two-AZ VPC with public subnets, no NAT gateway and an S3 gateway endpoint", () => {
    s.template.resourceCountIs("AWS::EC2::Subnet", 2);
    s.template.resourceCountIs("AWS::EC2::NatGateway", 0);
    s.template.hasResourceProperties("AWS::EC2::VPCEndpoint", {
      VpcEndpointType: "Gateway",
      ServiceName: { "Fn::Join": ["", ["com.amazonaws.", { Ref: "AWS::Region" }, ".s3"]] },
    });
  });

  it("launches Amazon Linux 2023 with IMDSv2 required and an encrypted root volume", () => {
    s.template.hasResourceProperties("AWS::EC2::LaunchTemplate", {
      LaunchTemplateData: Match.objectLike({
        ImageId: { Ref: Match.stringLikeRegexp("al2023") },
        MetadataOptions: {
          HttpTokens: "required",
          HttpPutResponseHopLimit: 1,
          InstanceMetadataTags: "enabled",
        },
        BlockDeviceMappings: [Match.objectLike({ Ebs: Match.objectLike({ Encrypted: true }) })],
      }),
    });
  });

  it("mixes Spot instance types, price-capacity-optimized, with capacity rebalance", () => {
    s.template.hasResourceProperties("AWS::AutoScaling::AutoScalingGroup", {
      MinSize: "1",
      MaxSize: "10",
      CapacityRebalance: true,
      MetricsCollection: [{ Granularity: "1Minute" }],
      MixedInstancesPolicy: {
        InstancesDistribution: {
          OnDemandBaseCapacity: 0,
          OnDemandPercentageAboveBaseCapacity: 0,
          SpotAllocationStrategy: "price-capacity-optimized",
        },
        LaunchTemplate: Match.objectLike({
          Overrides: Match.arrayWith([{ InstanceType: "c5.large" }, { InstanceType: "m5.large" }]),
        }),
      },
    });
  });

  it("replaces the group on deploy, so every instance runs the new bundle", () => {
    s.template.hasResource("AWS::AutoScaling::AutoScalingGroup", {
      UpdatePolicy: { AutoScalingReplacingUpdate: { WillReplace: true } },
    });
  });

  it("holds a terminating instance in a lifecycle hook long enough to drain", () => {
    s.template.hasResourceProperties("AWS::AutoScaling::LifecycleHook", {
      LifecycleHookName: "longbow-drain",
      LifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING",
      HeartbeatTimeout: 240,
      DefaultResult: "CONTINUE",
    });
  });

  it("boots with BBR, Node 22, the bundle asset, the CloudWatch agent and a systemd unit running `longbow work`", () => {
    const script = userDataOf(s.template);
    expect(script).toContain("net.ipv4.tcp_congestion_control = bbr");
    expect(script).toContain("dnf install -y nodejs22 amazon-cloudwatch-agent");
    expect(script).toMatch(/aws s3 cp 's3:\/\/.*\.zip' '\/tmp\/longbow-worker\.zip'/);
    expect(script).toContain("amazon-cloudwatch-agent-ctl -a fetch-config");
    expect(script).toContain("ExecStart=/usr/bin/node-22 --single-threaded-gc /opt/longbow/longbow.mjs work");
    expect(script).toContain("Restart=on-failure");
    expect(script).toContain("KillSignal=SIGTERM");
    expect(script).toContain("TimeoutStopSec=120");
    expect(script).toContain("systemctl enable --now longbow-worker.service longbow-drain.service");
    expect(script).toContain("--lifecycle-hook-name longbow-drain");
    for (const name of [
      "AWS_REGION",
      "LONGBOW_QUEUE_URL",
      "LONGBOW_TABLE_NAME",
      "LONGBOW_MIGRATIONS_PATH=/longbow/migrations",
      "LONGBOW_CREDENTIALS_PARAMETER=s3_migration_credentials",
      "LONGBOW_JOB_TIMEOUT_SECONDS=3600",
      "LONGBOW_STOP_DEADLINE_SECONDS=90",
    ]) {
      expect(script).toContain(name);
    }
  });
});

describe("least privilege for the workers", () => {
  const workerStatements = () => statementsOf(s.template, "WorkersRole");

  it("reads only the local sources, limited to their prefixes", () => {
    const read = workerStatements().find((st) => st.Sid === "ReadSources");
    const resources = asString(read?.Resource);
    expect(resources).toContain(":s3:::src-global/videos/*");
    expect(resources).toContain(":s3:::src-other/*");
    expect(resources).not.toContain("src-disabled");
    expect(read?.Action).not.toContain("s3:PutObject");
    expect(read?.Action).not.toContain("s3:DeleteObject");
  });

  it("writes only the local destination prefix; the China bucket is reached with the credentials parameter", () => {
    const write = workerStatements().find((st) => st.Sid === "WriteDestinations");
    expect(asString(write?.Resource)).toContain(":s3:::dst-global/copy/*");
    expect(write?.Action).toContain("s3:DeleteObject");
    const all = asString(workerStatements());
    expect(all).not.toContain("dst-china");
    expect(all).not.toContain("dst-disabled");
    expect(all).not.toMatch(/s3:::\*/);
  });

  it("lists only under the configured prefixes", () => {
    const list = workerStatements().filter((st) => asString(st.Resource).endsWith(':s3:::src-global"]]}'));
    expect(list).toContainEqual(
      expect.objectContaining({ Condition: { StringLike: { "s3:prefix": ["videos/*"] } } }),
    );
  });

  it("reads only the named credentials parameters", () => {
    const creds = workerStatements().find((st) => st.Sid === "ReadCredentialsParameter");
    expect(creds?.Action).toBe("ssm:GetParameter");
    const r = asString(creds?.Resource);
    expect(r).toContain(":parameter/s3_migration_credentials");
    expect(r).toContain(":parameter/china-keys");
  });

  it("uses only this queue and this table, with the deploy-time partition in every ARN", () => {
    const all = workerStatements();
    const sqs = all.filter((st) => asString(st.Action).includes("sqs:"));
    expect(sqs.length).toBeGreaterThan(0);
    for (const st of sqs) expect(asString(st.Resource)).toMatch(/Jobs3A3E4888|JobsDeadLetters/);
    const ddb = all.filter((st) => asString(st.Action).includes("dynamodb:"));
    expect(ddb.length).toBeGreaterThan(0);
    for (const st of ddb) expect(asString(st.Resource)).toContain("LedgerTable");
    expect(asString(s.template.toJSON())).not.toContain("arn:aws:");
  });

  it("carries only the calls `longbow work` makes, on exact resources", () => {
    const on = (pattern: RegExp) =>
      workerStatements()
        .filter((st) => pattern.test(asString(st.Resource)))
        .flatMap((st) => [st.Action].flat())
        .filter((a) => /^(sqs|dynamodb):/.test(String(a)))
        .sort();
    // ledger: get, finish (TransactWrite of a Put and Updates), noteError and the resume store
    expect(on(/LedgerTable/)).toEqual(["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]);
    // the job queue: receive, delete (one or a batch), heartbeat/release, redrive policy, and
    // SendMessage only to hand an interrupted job back as a new message (putBack)
    expect(on(/"Jobs3A3E4888"/)).toEqual([
      "sqs:ChangeMessageVisibility",
      "sqs:DeleteMessage",
      "sqs:GetQueueAttributes",
      "sqs:ReceiveMessage",
      "sqs:SendMessage",
    ]);
    // a job that can never succeed is moved to the dead-letter queue at once
    expect(on(/JobsDeadLetters/)).toEqual(["sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage"]);
    const all = asString(workerStatements());
    for (const never of [
      "dynamodb:Scan",
      "dynamodb:DeleteItem",
      "dynamodb:BatchWriteItem",
      "dynamodb:GetRecords",
    ]) {
      expect(all).not.toContain(never);
    }
    expect(all).not.toContain("/index/");
    expect(all).not.toContain('ssm:GetParameters"');
    const migrations = workerStatements().find((st) => st.Sid === "ReadMigrations");
    expect(migrations?.Action).toBe("ssm:GetParametersByPath");
    expect(asString(migrations?.Resource)).toMatch(/:parameter\/longbow\/migrations"\]\]\}$/);
  });

  it("deletes object versions only on destinations, where a failed verification removes the version it wrote", () => {
    const deleting = workerStatements().filter((st) => asString(st.Action).includes("s3:Delete"));
    expect(deleting.map((st) => st.Sid)).toEqual(["WriteDestinations"]);
    expect(asString(deleting[0]?.Resource)).not.toContain("src-");
  });

  it("has no wildcard resource but the S3 prefixes of the migrations", () => {
    for (const st of workerStatements()) {
      for (const r of [st.Resource].flat()) {
        const text = asString(r);
        if (!text.includes("*")) continue;
        expect(text, asString(st)).toMatch(/:s3:::[a-z0-9.-]+\/[^*"]*\*"|"\*"|autoScalingGroup:\*/);
      }
    }
  });
});

describe("GitHub plan key", () => {
  it("refuses a plan key that the fleet or a migration uses: the plan gets a separate read-only key", () => {
    expect(() =>
      synthesize({ github: { repository: "o/r", planCredentialsParameter: "china-keys" } }, [
        {
          name: "to-china",
          source: { bucket: "src-global", region: "us-east-1" },
          destination: {
            bucket: "dst-china",
            region: "cn-northwest-1",
            credentials: { ssmParameter: "china-keys" },
          },
        },
      ]),
    ).toThrow("github.planCredentialsParameter 'china-keys' is a key the fleet or a migration uses");
  });
});

describe("network", () => {
  it("lets the workers connect out on TCP 443 only, as the security group says", () => {
    const groups = Object.values(s.template.findResources("AWS::EC2::SecurityGroup"));
    expect(groups).toHaveLength(1);
    expect(groups[0]?.Properties).toMatchObject({
      GroupDescription: "Longbow workers: no inbound; outbound TCP 443 only",
      SecurityGroupEgress: [{ CidrIp: "0.0.0.0/0", IpProtocol: "tcp", FromPort: 443, ToPort: 443 }],
    });
    expect(groups[0]?.Properties.SecurityGroupIngress).toBeUndefined();
  });

  it("opens the port of a custom endpoint a migration names, and only that", () => {
    expect(
      egressPorts([
        {
          source: { bucket: "a", region: "us-east-1", endpoint: "http://minio.internal:9000" },
          destination: { bucket: "b", region: "us-east-1", endpoint: "http://store.internal" },
        },
        {
          enabled: false,
          source: { bucket: "c", region: "us-east-1", endpoint: "https://off.internal:8443" },
          destination: { bucket: "d", region: "us-east-1" },
        },
      ]),
    ).toEqual([80, 443, 9000]);
  });
});

describe("scaling", () => {
  it("adds one instance at 100 visible jobs and two at 500", () => {
    s.template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      MetricName: "ApproximateNumberOfMessagesVisible",
      Namespace: "AWS/SQS",
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      Threshold: 100,
      Period: 300,
    });
    s.template.hasResourceProperties("AWS::AutoScaling::ScalingPolicy", {
      PolicyType: "StepScaling",
      AdjustmentType: "ChangeInCapacity",
      StepAdjustments: [
        { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 400, ScalingAdjustment: 1 },
        { MetricIntervalLowerBound: 400, ScalingAdjustment: 2 },
      ],
    });
  });

  it("scales in to the minimum and notifies once when nothing is waiting or in flight", () => {
    s.template.hasResourceProperties("AWS::AutoScaling::ScalingPolicy", {
      AdjustmentType: "ExactCapacity",
      StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }],
    });
    s.template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: "IF((visible + inflight) == 0 AND desired > 1, 1, 0)" }),
      ]),
      AlarmActions: [
        { Ref: Match.stringLikeRegexp("^ScalingScaleInToMinimum") },
        { Ref: Match.stringLikeRegexp("^Notifications") },
      ],
      TreatMissingData: "notBreaching",
    });
  });
});

describe("dashboard and alarms", () => {
  it("needs no wake-up alarm while the minimum keeps an instance running", () => {
    const alarms = JSON.stringify(s.template.findResources("AWS::CloudWatch::Alarm"));
    expect(alarms).not.toContain("desired == 0");
  });

  it("pages on any dead-lettered job", () => {
    s.template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Dimensions: [
        {
          Name: "QueueName",
          Value: { "Fn::GetAtt": [Match.stringLikeRegexp("^JobsDeadLetters"), "QueueName"] },
        },
      ],
      ComparisonOperator: "GreaterThanThreshold",
      Threshold: 0,
      AlarmActions: [{ Ref: Match.stringLikeRegexp("^Notifications") }],
    });
  });

  it("pages when jobs wait but no bytes moved for 15 minutes", () => {
    s.template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Metrics: [
        Match.objectLike({
          Expression: 'SELECT SUM(BytesCopied) FROM SCHEMA("Longbow", Migration)',
          Period: 900,
        }),
      ],
      TreatMissingData: "breaching",
    });
    s.template.hasResourceProperties("AWS::CloudWatch::CompositeAlarm", {
      AlarmRule: { "Fn::Join": ["", Match.arrayWith([Match.stringLikeRegexp("AND ALARM")])] },
      AlarmActions: [{ Ref: Match.stringLikeRegexp("^Notifications") }],
    });
  });

  it("graphs throughput, errors, queue, capacity, CPU, memory and disk", () => {
    const body = asString(Object.values(s.template.findResources("AWS::CloudWatch::Dashboard"))[0]);
    for (const title of [
      "Bytes copied per minute",
      "Objects copied per minute",
      "Errors",
      "Jobs: waiting / in flight / dead",
      "Fleet capacity",
      "CPU %",
      "Memory used %",
      "Disk used %",
    ]) {
      expect(body).toContain(title);
    }
    expect(body).toContain("mem_used_percent");
    expect(body).toContain("disk_used_percent");
  });
});

describe("optional parts are off by default", () => {
  it("has no Lambda worker, trigger bucket or GitHub roles", () => {
    // the one function is CDK's own, which strips the VPC's default security group of every rule
    // (@aws-cdk/aws-ec2:restrictDefaultSecurityGroup, a recommended flag in cdk.json)
    const functions = Object.values(s.template.findResources("AWS::Lambda::Function"));
    expect(functions.map((f) => (f.Properties as { Description?: string }).Description)).toEqual([
      "Lambda function for removing all inbound/outbound rules from the VPC default security group",
    ]);
    s.template.resourceCountIs("AWS::S3::Bucket", 0);
    s.template.resourceCountIs("AWS::IAM::OIDCProvider", 0);
  });
});

describe("checks on the whole template", () => {
  it("spells every ARN well: partition from AWS::Partition, no empty path segment", () => {
    const arns = arnsOf(s.template);
    expect(arns.length).toBeGreaterThan(10);
    expect(arns.filter(({ arn }) => arnProblem(arn) !== undefined)).toEqual([]);
    expect(arnProblem("arn:<AWS.Partition>:ssm:<AWS.Region>:<AWS.AccountId>:parameter//longbow/x")).toBe(
      "an empty path segment ('//')",
    );
    expect(arnProblem("arn:aws:s3:::b/*")).toBe("partition 'aws' is not AWS::Partition");
  });

  it("has no unacknowledged cdk-nag AwsSolutions finding", () => {
    expect(nagFindings(s.app)).toEqual([]);
  }, 60_000);

  it("is clean under cfn-lint", () => {
    const { status, output } = cfnLint(s.templateFile);
    expect(output).toBe("");
    expect(status).toBe(0);
  }, 60_000);

  it("matches the snapshot (asset hashes masked)", () => {
    expect(maskedTemplate(s.template)).toMatchSnapshot();
  });
});
