import { ArnFormat, Aws, Stack } from "aws-cdk-lib";
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import type { BucketGrant, BucketGrants, CredentialsParameterRef, KmsKeyGrant } from "./bucket-grants.js";
import { engineCalls, ledgerStatement, queueStatement } from "./engine-calls.js";
import { acknowledge } from "./nag.js";

/** Props of {@link WorkerAccess}. */
export interface WorkerAccessProps {
  /** The identity that runs `longbow work` (instance role or Lambda role). */
  readonly role: iam.IRole;
  readonly queue: sqs.IQueue;
  /** A job that can never succeed is moved here at once; its depth is part of the status. */
  readonly deadLetterQueue: sqs.IQueue;
  readonly table: dynamodb.ITable;
  /** Buckets and prefixes of this partition, from `migrations/`. */
  readonly buckets: BucketGrants;
  /** The SecureStrings with the other side's access key: the stack's default and those migrations name. */
  readonly credentialsParameters: readonly CredentialsParameterRef[];
  /** Customer KMS key of those parameters. @defaultValue undefined: the AWS-managed aws/ssm key, whose key policy already allows SSM use */
  readonly credentialsKmsKeyArn?: string;
  /** SSM path of the published migrations. */
  readonly migrationsPath: string;
  /** The SSE-KMS keys of the destinations the role writes. @defaultValue none */
  readonly destinationKmsKeys?: readonly KmsKeyGrant[];
}

/** `arn:<partition>:s3:::bucket/prefix*`; the partition is always the deploy-time one. */
function objectArn(bucket: string, prefix: string): string {
  return `arn:${Aws.PARTITION}:s3:::${bucket}/${prefix}*`;
}

function bucketArn(bucket: string): string {
  return `arn:${Aws.PARTITION}:s3:::${bucket}`;
}

/** How cdk-nag names a wildcard resource finding for this object ARN. */
function nagResourceId(bucket: string, prefix: string): string {
  return `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${bucket}/${prefix}*]`;
}

function listStatement(actions: string[], grant: BucketGrant): iam.PolicyStatement {
  const whole = grant.prefixes.includes("");
  return new iam.PolicyStatement({
    actions,
    resources: [bucketArn(grant.bucket)],
    ...(whole ? {} : { conditions: { StringLike: { "s3:prefix": grant.prefixes.map((p) => `${p}*`) } } }),
  });
}

/**
 * Least privilege for a worker: read only the configured sources, write only the configured
 * destinations (both limited to their prefixes), read only the named credentials parameters
 * and the published migrations, and on this queue, its dead-letter queue and this table only
 * the calls `longbow work` makes (see `engineCalls`).
 */
export class WorkerAccess extends Construct {
  public readonly policy: iam.Policy;

  constructor(scope: Construct, id: string, props: WorkerAccessProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const statements: iam.PolicyStatement[] = [];
    const { read, write } = props.buckets;
    if (read.length > 0) {
      // ListBucket(Versions): without it S3 answers a HEAD of a missing key (or version) with
      // 403 instead of 404, and a source deleted after the compare would look like a refusal.
      statements.push(
        new iam.PolicyStatement({
          sid: "ReadSources",
          // Get(Version)Tagging: tags travel with the copy (a migration's `tags: copy`, the default)
          actions: [
            "s3:GetObject",
            "s3:GetObjectVersion",
            "s3:GetObjectTagging",
            "s3:GetObjectVersionTagging",
          ],
          resources: read.flatMap((g) => g.prefixes.map((p) => objectArn(g.bucket, p))),
        }),
        ...read.map((g) => listStatement(["s3:ListBucket", "s3:ListBucketVersions"], g)),
      );
    }
    if (write.length > 0) {
      statements.push(
        new iam.PolicyStatement({
          sid: "WriteDestinations",
          // PutObject: PutObject, CreateMultipartUpload, UploadPart, CompleteMultipartUpload;
          // PutObjectTagging: a PutObject or CreateMultipartUpload that carries the source's tags;
          // GetObject: a job whose object is already identical costs a HEAD, not a copy;
          // DeleteObject, DeleteObjectVersion: a completed copy that fails verification is
          // removed, never left in place; in a versioned bucket the engine deletes the exact
          // version it wrote (DeleteObject with a VersionId, authorized as DeleteObjectVersion)
          actions: [
            "s3:PutObject",
            "s3:PutObjectTagging",
            "s3:GetObject",
            "s3:AbortMultipartUpload",
            "s3:ListMultipartUploadParts",
            "s3:DeleteObject",
            "s3:DeleteObjectVersion",
          ],
          resources: write.flatMap((g) => g.prefixes.map((p) => objectArn(g.bucket, p))),
        }),
        // ListBucket: a HEAD of a key not copied yet must say 404, not 403
        ...write.map((g) => listStatement(["s3:ListBucket"], g)),
        new iam.PolicyStatement({
          sid: "FindUnfinishedUploads",
          // ListMultipartUploads takes no s3:prefix condition; it is how a resumed job finds its upload
          actions: ["s3:ListBucketMultipartUploads"],
          resources: write.map((g) => bucketArn(g.bucket)),
        }),
      );
    }
    const parameterArn = (name: string, region?: string) =>
      stack.formatArn({
        service: "ssm",
        resource: "parameter",
        resourceName: name.replace(/^\//, ""),
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
        ...(region === undefined ? {} : { region }),
      });
    statements.push(
      new iam.PolicyStatement({
        sid: "ReadCredentialsParameter",
        actions: ["ssm:GetParameter"],
        resources: props.credentialsParameters.map((p) => parameterArn(p.name, p.region)),
      }),
      new iam.PolicyStatement({
        sid: "ReadMigrations",
        // loadPublishedMigrations: one GetParametersByPath (not recursive), authorized on the path itself
        actions: ["ssm:GetParametersByPath"],
        resources: [parameterArn(props.migrationsPath)],
      }),
    );
    if (props.credentialsKmsKeyArn !== undefined) {
      statements.push(
        new iam.PolicyStatement({
          sid: "DecryptCredentialsParameter",
          actions: ["kms:Decrypt"],
          resources: [props.credentialsKmsKeyArn],
          conditions: { StringEquals: { "kms:ViaService": `ssm.${Aws.REGION}.${Aws.URL_SUFFIX}` } },
        }),
      );
    }
    for (const [i, k] of (props.destinationKmsKeys ?? []).entries()) {
      statements.push(
        new iam.PolicyStatement({
          sid: `EncryptDestinationKey${i + 1}`,
          // S3 asks KMS for a data key per object written with SSE-KMS (GenerateDataKey), and
          // to decrypt it again to assemble a multipart upload and to read the copy (Decrypt);
          // only through S3 in the key's region
          actions: ["kms:GenerateDataKey", "kms:Encrypt", "kms:Decrypt"],
          resources: [`arn:${Aws.PARTITION}:kms:${k.key}`],
          conditions: { StringEquals: { "kms:ViaService": `s3.${k.region}.${Aws.URL_SUFFIX}` } },
        }),
      );
    }
    statements.push(
      queueStatement(props.queue, engineCalls.workerQueue),
      queueStatement(props.deadLetterQueue, engineCalls.workerDeadLetters),
      ledgerStatement(props.table, engineCalls.workerLedger),
    );
    this.policy = new iam.Policy(this, "Policy", { statements });
    props.role.attachInlinePolicy(this.policy);

    for (const g of [...read, ...write]) {
      for (const p of g.prefixes) {
        acknowledge(
          this.policy,
          nagResourceId(g.bucket, p),
          `Object-level access is limited to the configured prefix '${p}' of bucket ${g.bucket} (from migrations/).`,
        );
      }
    }
  }
}
