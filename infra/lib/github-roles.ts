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
  readonly table: dynamodb.ITable;
  /** Buckets of this partition the plan and the compare list. */
  readonly buckets: readonly string[];
  readonly migrationsPath: string;
  /** The compare reads the other side with these when no role of the other partition is configured. */
  readonly credentialsParameters: readonly CredentialsParameterRef[];
}

const issuer = "token.actions.githubusercontent.com";

/**
 * Roles GitHub Actions workflows of one repository assume with OIDC, so no AWS key lives in
 * GitHub: `deploy` (publish the migrations and CDK deploy, from the deploy branch or
 * environment) and `operate` (plan, compare-and-send, report, from any workflow of the
 * repository, pull requests included).
 */
export class GitHubRoles extends Construct {
  public readonly deployRole: iam.Role;
  public readonly operateRole: iam.Role;

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

    this.operateRole = new iam.Role(this, "Operate", {
      assumedBy: principal([`${repo}:*`]),
      description: `Longbow plan, sync and report from ${props.repository}`,
      maxSessionDuration: Duration.hours(2),
    });
    props.queue.grantSendMessages(this.operateRole);
    props.queue.grant(this.operateRole, "sqs:GetQueueAttributes");
    props.table.grantReadWriteData(this.operateRole);
    this.operateRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ["ssm:GetParameter", "ssm:GetParametersByPath"],
        resources: migrations,
      }),
    );
    this.operateRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ["ssm:GetParameter"],
        resources: props.credentialsParameters.map((p) => parameter(p.name, p.region)),
      }),
    );
    if (props.buckets.length > 0) {
      this.operateRole.addToPrincipalPolicy(
        new iam.PolicyStatement({
          // the plan and the compare list both sides; they never read object data
          actions: ["s3:ListBucket", "s3:ListBucketVersions"],
          resources: props.buckets.map((b) => `arn:${Aws.PARTITION}:s3:::${b}`),
        }),
      );
    }
    acknowledge(
      this.operateRole,
      migrationsFinding,
      "sync and plan read every published migration under the path.",
    );
    acknowledge(
      this.operateRole,
      `AwsSolutions-IAM5[Resource::${nagArnRef(props.table)}/index/*]`,
      "The report reads the ledger's own indexes.",
    );
  }
}
