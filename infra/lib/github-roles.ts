import { Aws, Duration, Stack } from "aws-cdk-lib";
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import type { BucketGrant, CredentialsParameterRef } from "./bucket-grants.js";
import type { Partition } from "./config.js";
import { engineCalls, ledgerStatement, queueStatement } from "./engine-calls.js";
import { acknowledge } from "./nag.js";

/** Props of {@link GitHubRoles}. */
export interface GitHubRolesProps {
  /** `owner/name`. */
  readonly repository: string;
  /** Branch the scheduled workflows (sync, report) run on. @defaultValue "main" */
  readonly deployBranch?: string;
  /**
   * GitHub environment the deploy job runs in: the deploy role trusts only tokens naming it.
   * The environment's deployment-branch rule and required reviewers are what protect it
   * (README, Deploy). @defaultValue "longbow-production"
   */
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
  /**
   * Destinations of this partition where the compare (sync) aborts unfinished uploads of
   * objects already done or skipped. @defaultValue none
   */
  readonly destinations?: readonly BucketGrant[];
  readonly migrationsPath: string;
  /** The compare (sync) reads the other side with these when no role of the other partition is configured. */
  readonly credentialsParameters: readonly CredentialsParameterRef[];
  /**
   * A SecureString with a read-only key of the other partition, for the plan of a pull
   * request. Never the fleet's write key. @defaultValue undefined: the plan role reads no parameter
   */
  readonly planCredentialsParameter?: CredentialsParameterRef;
}

const issuer = "token.actions.githubusercontent.com";

/**
 * Roles the workflows of one repository assume with OIDC, so no AWS key lives in GitHub, one
 * per workflow variable (`LONGBOW_*_ROLE_ARN`), each with only what its command calls:
 * `deploy` (publish the migrations and CDK deploy; only from the protected deploy
 * environment), `plan` (list the buckets, read a read-only key; from pull requests, so built
 * to be harmless in the hands of branch code), `sync` (compare-and-send) and `report` (read
 * the ledger and queue depths), both from the deploy branch, where scheduled workflows run.
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
    // Exact subjects (StringEquals), no patterns: a token matches one subject or none.
    const principal = (subject: string) =>
      new iam.FederatedPrincipal(
        providerArn,
        { StringEquals: { [`${issuer}:aud`]: audience, [`${issuer}:sub`]: subject } },
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
    const migrationsPath = parameter(props.migrationsPath);
    const environment = props.deployEnvironment ?? "longbow-production";

    // A job that names an environment gets the subject `repo:o/r:environment:<name>` whatever
    // its branch; only the environment's own rules (deploy branch, reviewers) gate it.
    this.deployRole = new iam.Role(this, "Deploy", {
      assumedBy: principal(`${repo}:environment:${environment}`),
      description: `Longbow publish and CDK deploy from ${props.repository} (environment ${environment})`,
      maxSessionDuration: Duration.hours(1),
    });
    // CDK deploys through the bootstrap roles; this role may only assume those
    this.deployRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ["sts:AssumeRole"],
        resources: [`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/cdk-*`],
      }),
    );
    // publish: GetParametersByPath on the path, PutParameter and DeleteParameters per migration
    this.deployRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ["ssm:GetParametersByPath"], resources: [migrationsPath] }),
    );
    this.deployRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ["ssm:PutParameter", "ssm:DeleteParameters"],
        resources: [`${migrationsPath}/*`],
      }),
    );
    acknowledge(
      this.deployRole,
      "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/cdk-*]",
      "The CDK bootstrap roles carry a qualifier and region in their names; cdk-* is their common prefix.",
    );
    acknowledge(
      this.deployRole,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:parameter${props.migrationsPath}/*]`,
      "publish writes one parameter per migration under the migrations path; the set changes with every merge.",
    );

    const mainBranch = `${repo}:ref:refs/heads/${props.deployBranch ?? "main"}`;
    const listBuckets =
      props.buckets.length === 0
        ? []
        : [
            new iam.PolicyStatement({
              // the compare lists both sides (ListObjectsV2, ListObjectVersions); it never reads object data
              actions: ["s3:ListBucket", "s3:ListBucketVersions"],
              resources: props.buckets.map((b) => `arn:${Aws.PARTITION}:s3:::${b}`),
            }),
          ];

    // Any branch's code runs with this role (a pull_request run takes its workflow from the
    // head): it can list the buckets of reviewed migrations and read a read-only key, nothing else.
    this.planRole = new iam.Role(this, "Plan", {
      assumedBy: principal(`${repo}:pull_request`),
      description: `Longbow plan (read-only listing) for pull requests of ${props.repository}`,
      maxSessionDuration: Duration.hours(1),
    });
    for (const st of listBuckets) this.planRole.addToPrincipalPolicy(st);
    // what each copy was made from (read only), so the plan counts as identical what send will
    this.planRole.addToPrincipalPolicy(ledgerStatement(props.table, engineCalls.planLedger));
    const planKey = props.planCredentialsParameter;
    if (planKey !== undefined) {
      this.planRole.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ["ssm:GetParameter"],
          resources: [parameter(planKey.name, planKey.region)],
        }),
      );
    }

    this.syncRole = new iam.Role(this, "Sync", {
      assumedBy: principal(mainBranch),
      description: `Longbow compare-and-send from ${props.repository}`,
      maxSessionDuration: Duration.hours(6),
    });
    for (const st of listBuckets) this.syncRole.addToPrincipalPolicy(st);
    const destinations = props.destinations ?? [];
    if (destinations.length > 0) {
      // ListMultipartUploads is a bucket action (it takes a prefix, not an s3:prefix condition)
      this.syncRole.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ["s3:ListBucketMultipartUploads"],
          resources: destinations.map((d) => `arn:${Aws.PARTITION}:s3:::${d.bucket}`),
        }),
      );
      this.syncRole.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ["s3:AbortMultipartUpload"],
          resources: destinations.flatMap((d) =>
            d.prefixes.map((p) => `arn:${Aws.PARTITION}:s3:::${d.bucket}/${p}*`),
          ),
        }),
      );
      for (const d of destinations) {
        for (const p of d.prefixes) {
          acknowledge(
            this.syncRole,
            `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${d.bucket}/${p}*]`,
            "the compare aborts unfinished uploads of finished objects under the migration's destination prefix; their keys are not known in advance.",
          );
        }
      }
    }
    if (props.credentialsParameters.length > 0) {
      this.syncRole.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ["ssm:GetParameter"],
          resources: props.credentialsParameters.map((p) => parameter(p.name, p.region)),
        }),
      );
    }
    for (const st of [
      new iam.PolicyStatement({ actions: ["ssm:GetParametersByPath"], resources: [migrationsPath] }),
      queueStatement(props.queue, engineCalls.sendQueue),
      queueStatement(props.deadLetterQueue, engineCalls.deadLetterDepth),
      ledgerStatement(props.table, engineCalls.sendLedger),
    ]) {
      this.syncRole.addToPrincipalPolicy(st);
    }

    this.reportRole = new iam.Role(this, "Report", {
      assumedBy: principal(mainBranch),
      description: `Longbow reports from ${props.repository}`,
      maxSessionDuration: Duration.hours(1),
    });
    for (const st of [
      ledgerStatement(props.table, engineCalls.reportLedger, true),
      queueStatement(props.queue, engineCalls.reportQueue),
      queueStatement(props.deadLetterQueue, engineCalls.deadLetterDepth),
    ]) {
      this.reportRole.addToPrincipalPolicy(st);
    }
  }
}
