import { Aws, Duration, Stack } from "aws-cdk-lib";
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import type { CredentialsParameterRef } from "./bucket-grants.js";
import type { Partition } from "./config.js";
import { acknowledge, nagArnRef } from "./nag.js";

/** Props of {@link GitHubRoles}. */
export interface GitHubRolesProps {
  /** `owner/name`. */
  readonly repository: string;
  /** Branch whose workflows may deploy. @defaultValue "main" */
  readonly deployBranch?: string;
  /** GitHub environment the deploy job runs in (its token's subject names it, not the branch). @defaultValue "longbow-production" */
  readonly deployEnvironment?: string;
  /** An existing GitHub OIDC provider. @defaultValue undefined: one is created */
  readonly oidcProviderArn?: string;
  /** Decides the token audience: `sts.amazonaws.com.cn` in China. */
  readonly partition: Partition;
  readonly queue: sqs.IQueue;
  /** The report shows its depth. */
  readonly deadLetterQueue: sqs.IQueue;
  readonly table: dynamodb.ITable;
  /** Buckets of this partition the plan and the compare list. */
  readonly buckets: readonly string[];
  readonly migrationsPath: string;
  /** The compare reads the other side with these when no role of the other partition is configured. */
  readonly credentialsParameters: readonly CredentialsParameterRef[];
}

const issuer = "token.actions.githubusercontent.com";

/**
 * Roles the workflows of one repository assume with OIDC, so no AWS key lives in GitHub, one
 * per workflow variable (`LONGBOW_*_ROLE_ARN`): `deploy` (publish the migrations and CDK
 * deploy, from the deploy branch or environment), `plan` (read-only listing, from pull
 * requests), `sync` (compare-and-send) and `report` (read the ledger and queue depths), both
 * from the deploy branch, where scheduled workflows run.
 */
export class GitHubRoles extends Construct {
  public readonly deployRole: iam.Role;
  public readonly planRole: iam.Role;
  public readonly syncRole: iam.Role;
  public readonly reportRole: iam.Role;

  constructor(scope: Construct, id: string, props: GitHubRolesProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const audience = props.partition === "aws-cn" ? "sts.amazonaws.com.cn" : "sts.amazonaws.com";
    const providerArn =
      props.oidcProviderArn ??
      new iam.CfnOIDCProvider(this, "Provider", { url: `https://${issuer}`, clientIdList: [audience] })
        .attrArn;
    const principal = (subjects: string[]) =>
      new iam.FederatedPrincipal(
        providerArn,
        {
          StringEquals: { [`${issuer}:aud`]: audience },
          StringLike: { [`${issuer}:sub`]: subjects },
        },
        "sts:AssumeRoleWithWebIdentity",
      );
    const repo = `repo:${props.repository}`;
    const parameter = (name: string, region?: string) =>
      stack.formatArn({
        service: "ssm",
        resource: "parameter",
        resourceName: name.replace(/^\//, ""),
        ...(region === undefined ? {} : { region }),
      });
    const migrations = [parameter(props.migrationsPath), `${parameter(props.migrationsPath)}/*`];
    const migrationsFinding = `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:parameter${props.migrationsPath}/*]`;

    this.deployRole = new iam.Role(this, "Deploy", {
      assumedBy: principal([
        `${repo}:ref:refs/heads/${props.deployBranch ?? "main"}`,
        `${repo}:environment:${props.deployEnvironment ?? "longbow-production"}`,
      ]),
      description: `Longbow publish and CDK deploy from ${props.repository}`,
      maxSessionDuration: Duration.hours(1),
    });
    // CDK deploys through the bootstrap roles; this role may only assume those
    this.deployRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ["sts:AssumeRole"],
        resources: [`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/cdk-*`],
      }),
    );
    this.deployRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ["ssm:GetParametersByPath", "ssm:PutParameter", "ssm:DeleteParameters"],
        resources: migrations,
      }),
    );
    acknowledge(
      this.deployRole,
      "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/cdk-*]",
      "The CDK bootstrap roles carry a qualifier and region in their names; cdk-* is their common prefix.",
    );
    acknowledge(
      this.deployRole,
      migrationsFinding,
      "publish writes one parameter per migration under the migrations path; the set changes with every merge.",
    );

    const mainBranch = `${repo}:ref:refs/heads/${props.deployBranch ?? "main"}`;
    const listBuckets =
      props.buckets.length === 0
        ? []
        : [
            new iam.PolicyStatement({
              // plan and compare list both sides; they never read object data
              actions: ["s3:ListBucket", "s3:ListBucketVersions"],
              resources: props.buckets.map((b) => `arn:${Aws.PARTITION}:s3:::${b}`),
            }),
          ];
    const readCredentials = new iam.PolicyStatement({
      actions: ["ssm:GetParameter"],
      resources: props.credentialsParameters.map((p) => parameter(p.name, p.region)),
    });

    this.planRole = new iam.Role(this, "Plan", {
      assumedBy: principal([`${repo}:pull_request`]),
      description: `Longbow plan (read-only listing) for pull requests of ${props.repository}`,
      maxSessionDuration: Duration.hours(1),
    });
    for (const st of [...listBuckets, readCredentials]) this.planRole.addToPrincipalPolicy(st);

    this.syncRole = new iam.Role(this, "Sync", {
      assumedBy: principal([mainBranch]),
      description: `Longbow compare-and-send from ${props.repository}`,
      maxSessionDuration: Duration.hours(6),
    });
    for (const st of [...listBuckets, readCredentials]) this.syncRole.addToPrincipalPolicy(st);
    this.syncRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ["ssm:GetParametersByPath"], resources: migrations }),
    );
    props.queue.grantSendMessages(this.syncRole);
    // the queue's depth includes the dead letters, found through the redrive policy
    props.deadLetterQueue.grant(this.syncRole, "sqs:GetQueueAttributes", "sqs:GetQueueUrl");
    props.table.grantReadWriteData(this.syncRole);
    acknowledge(this.syncRole, migrationsFinding, "sync reads every published migration under the path.");
    acknowledge(
      this.syncRole,
      `AwsSolutions-IAM5[Resource::${nagArnRef(props.table)}/index/*]`,
      "The ledger's own indexes only; their names are the engine's.",
    );

    this.reportRole = new iam.Role(this, "Report", {
      assumedBy: principal([mainBranch]),
      description: `Longbow reports from ${props.repository}`,
      maxSessionDuration: Duration.hours(1),
    });
    props.table.grantReadData(this.reportRole);
    props.queue.grant(this.reportRole, "sqs:GetQueueAttributes", "sqs:GetQueueUrl");
    props.deadLetterQueue.grant(this.reportRole, "sqs:GetQueueAttributes", "sqs:GetQueueUrl");
    acknowledge(
      this.reportRole,
      `AwsSolutions-IAM5[Resource::${nagArnRef(props.table)}/index/*]`,
      "The report reads the ledger's failures index.",
    );
  }
}
