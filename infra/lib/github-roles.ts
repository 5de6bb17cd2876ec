import { Aws, Duration, Stack } from "aws-cdk-lib";
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import type { BucketGrants, CredentialsParameterRef } from "./bucket-grants.js";
import { acknowledge, nagArnRef } from "./nag.js";

/** Props of {@link GitHubRoles}. */
export interface GitHubRolesProps {
  /** `owner/name`. */
  readonly repository: string;
  /** @defaultValue "main" */
  readonly deployBranch?: string;
  /** An existing GitHub OIDC provider. @defaultValue undefined: one is created */
  readonly oidcProviderArn?: string;
  readonly queue: sqs.IQueue;
  readonly table: dynamodb.ITable;
  /** Buckets the compare lists (this partition only). */
  readonly buckets: BucketGrants;
  readonly migrationsPath: string;
  /** The compare reads the other side with these. */
  readonly credentialsParameters: readonly CredentialsParameterRef[];
}

const issuer = "token.actions.githubusercontent.com";

/**
 * Roles GitHub Actions workflows of one repository assume with OIDC, so no AWS key lives in
 * GitHub: `deploy` (CDK deploy from the deploy branch) and `operate` (publish migrations,
 * compare-and-send, report, from any ref of the repository).
 */
export class GitHubRoles extends Construct {
  public readonly deployRole: iam.Role;
  public readonly operateRole: iam.Role;

  constructor(scope: Construct, id: string, props: GitHubRolesProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const providerArn =
      props.oidcProviderArn ??
      new iam.CfnOIDCProvider(this, "Provider", {
        url: `https://${issuer}`,
        clientIdList: ["sts.amazonaws.com"],
      }).attrArn;
    const principal = (sub: string) =>
      new iam.FederatedPrincipal(
        providerArn,
        {
          StringEquals: { [`${issuer}:aud`]: "sts.amazonaws.com" },
          StringLike: { [`${issuer}:sub`]: sub },
        },
        "sts:AssumeRoleWithWebIdentity",
      );

    this.deployRole = new iam.Role(this, "Deploy", {
      assumedBy: principal(`repo:${props.repository}:ref:refs/heads/${props.deployBranch ?? "main"}`),
      description: `CDK deploy of Longbow from ${props.repository}`,
      maxSessionDuration: Duration.hours(1),
    });
    // CDK deploys through the bootstrap roles; this role may only assume those
    this.deployRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ["sts:AssumeRole"],
        resources: [`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/cdk-*`],
      }),
    );
    acknowledge(
      this.deployRole,
      "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/cdk-*]",
      "The CDK bootstrap roles carry a qualifier and region in their names; cdk-* is their common prefix.",
    );

    this.operateRole = new iam.Role(this, "Operate", {
      assumedBy: principal(`repo:${props.repository}:*`),
      description: `Longbow publish/send/report from ${props.repository}`,
      maxSessionDuration: Duration.hours(2),
    });
    props.queue.grantSendMessages(this.operateRole);
    props.queue.grant(this.operateRole, "sqs:GetQueueAttributes");
    props.table.grantReadWriteData(this.operateRole);
    const parameter = (name: string, region?: string) =>
      stack.formatArn({
        service: "ssm",
        resource: "parameter",
        resourceName: name.replace(/^\//, ""),
        ...(region === undefined ? {} : { region }),
      });
    this.operateRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ["ssm:PutParameter", "ssm:DeleteParameter", "ssm:GetParameter", "ssm:GetParametersByPath"],
        resources: [parameter(props.migrationsPath), `${parameter(props.migrationsPath)}/*`],
      }),
    );
    this.operateRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ["ssm:GetParameter"],
        resources: props.credentialsParameters.map((p) => parameter(p.name, p.region)),
      }),
    );
    const buckets = [...new Set([...props.buckets.read, ...props.buckets.write].map((g) => g.bucket))].sort();
    if (buckets.length > 0) {
      this.operateRole.addToPrincipalPolicy(
        new iam.PolicyStatement({
          // the plan and the compare list both sides; they never read object data
          actions: ["s3:ListBucket", "s3:ListBucketVersions"],
          resources: buckets.map((b) => `arn:${Aws.PARTITION}:s3:::${b}`),
        }),
      );
    }
    acknowledge(
      this.operateRole,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:parameter${props.migrationsPath}/*]`,
      "publish writes one parameter per migration under the migrations path; the set changes with every merge.",
    );
    acknowledge(
      this.operateRole,
      `AwsSolutions-IAM5[Resource::${nagArnRef(props.table)}/index/*]`,
      "The report reads the ledger's own indexes.",
    );
  }
}
