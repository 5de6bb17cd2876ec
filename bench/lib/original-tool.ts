import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import type { ServiceEndpoint, Tool, ToolEndpoint, ToolRunSpec } from "./tools.js";
import { baseEnv } from "./tools.js";

const jobsender = "s3_migration_cluster_jobsender.py";
const worker = "s3_migration_cluster_worker.py";
const configFile = "s3_migration_cluster_config.ini";

/** Whether `dir` holds the original's cluster code (`cluster/cdk-cluster/code` of aws-samples/amazon-s3-resumable-upload). */
export function checkOriginalDir(dir: string): void {
  for (const f of [jobsender, worker, configFile, "s3_migration_lib.py"]) {
    if (!existsSync(join(dir, f))) {
      throw new Error(
        `--original ${dir}: ${f} is missing; give the folder cluster/cdk-cluster/code of aws-samples/amazon-s3-resumable-upload (the Python version, before "version2 with go")`,
      );
    }
  }
}

/**
 * The original's settings file with what a local run needs changed and nothing else:
 * LocalProfileMode (two AWS profiles, `iad` for the source and its SQS, DynamoDB and SSM,
 * `zhy` for the destination, instead of the EC2 role and the SSM-held key), and WARNING
 * logs, as its comments recommend for daily use (Longbow runs at `warn` in the bench too).
 */
function localConfig(text: string): string {
  return text
    .replace(/^LocalProfileMode\s*=.*$/m, "LocalProfileMode = True")
    .replace(/^LoggingLevel\s*=.*$/m, "LoggingLevel = WARNING");
}

function clientConfig(services: ServiceEndpoint) {
  return {
    endpoint: services.endpoint,
    region: services.region,
    credentials: { accessKeyId: services.accessKeyId, secretAccessKey: services.secretAccessKey },
  };
}

let originalRuns = 0;

/**
 * The original Python Longbow, cluster mode, as its README runs it on one machine: the
 * jobsender lists both buckets and queues the delta on SQS, then one worker
 * (MaxParallelFile 5 × MaxThread 20, 5 MiB chunks, as shipped) copies. Its code is read
 * from `dir` (never part of this repository) and copied into the run's folder, whose
 * settings file gets LocalProfileMode; its queue, table and bucket parameter are created
 * on the emulator first. The worker loops forever, so its run ends when the destination
 * holds every source object and the queue is empty (polled every 250 ms).
 */
export function originalTool(dir: string, python: string): Tool {
  checkOriginalDir(dir);
  return {
    name: "original",
    kind: "original",
    settings: `${dir} (MaxParallelFile 5, MaxThread 20, ChunkSize 5 MiB, LocalProfileMode), ${python}`,
    steps: async (run: ToolRunSpec) => {
      const name = `bench-original-${process.pid}-${++originalRuns}`;
      const code = join(run.workDir, name, "code");
      cpSync(dir, code, { recursive: true });
      writeFileSync(join(code, configFile), localConfig(readFileSync(join(dir, configFile), "utf8")));
      const services = run.services;
      const config = clientConfig(services);
      const sqs = new SQSClient(config);
      const ddb = new DynamoDBClient(config);
      const ssm = new SSMClient(config);
      const queueUrl =
        (
          await sqs.send(
            new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: "3600" } }),
          )
        ).QueueUrl ?? "";
      // the table the CDK stack made: key "Key", an index on desBucket (used only with JobsenderCompareVersionId)
      await ddb.send(
        new CreateTableCommand({
          TableName: name,
          BillingMode: "PAY_PER_REQUEST",
          AttributeDefinitions: [
            { AttributeName: "Key", AttributeType: "S" },
            { AttributeName: "desBucket", AttributeType: "S" },
          ],
          KeySchema: [{ AttributeName: "Key", KeyType: "HASH" }],
          GlobalSecondaryIndexes: [
            {
              IndexName: "desBucket-index",
              KeySchema: [{ AttributeName: "desBucket", KeyType: "HASH" }],
              Projection: { ProjectionType: "ALL" },
            },
          ],
        }),
      );
      await ssm.send(
        new PutParameterCommand({
          Name: name,
          Type: "String",
          Value: JSON.stringify([
            {
              src_bucket: run.source.bucket,
              src_prefix: run.source.prefix,
              des_bucket: run.destination.bucket,
              des_prefix: run.destination.prefix,
            },
          ]),
        }),
      );
      ssm.destroy();
      ddb.destroy();
      const env = { ...baseEnv(), ...originalEnv(run, name) };
      const destination = destinationLister(run.destination);
      const sourceCount = await countObjects(
        new S3Client({ ...sideConfig(run.source), forcePathStyle: true }),
        run.source,
      );
      const done = async () => {
        const attrs = await sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: queueUrl,
            AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
          }),
        );
        const queued =
          Number(attrs.Attributes?.ApproximateNumberOfMessages ?? 1) +
          Number(attrs.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 1);
        return queued === 0 && (await destination()) >= sourceCount;
      };
      return [
        { name: "jobsender", command: python, args: [join(code, jobsender)], env },
        { name: "worker", command: python, args: [join(code, worker)], env, stopWhen: done },
      ];
    },
  };
}

function sideConfig(e: ToolEndpoint) {
  return {
    endpoint: e.directEndpoint,
    region: e.region,
    credentials: { accessKeyId: e.accessKeyId, secretAccessKey: e.secretAccessKey },
  };
}

async function countObjects(s3: S3Client, side: ToolEndpoint): Promise<number> {
  let n = 0;
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: side.bucket, Prefix: side.prefix, ContinuationToken: token }),
    );
    n += page.KeyCount ?? page.Contents?.length ?? 0;
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return n;
}

/** Counts the destination's objects straight at its emulator (not through the WAN proxy). */
function destinationLister(side: ToolEndpoint): () => Promise<number> {
  const s3 = new S3Client({ ...sideConfig(side), forcePathStyle: true });
  return () => countObjects(s3, side);
}

/**
 * Two profiles in the names the original hard-codes, `iad` (source, with its SQS, DynamoDB
 * and SSM) and `zhy` (destination), each with its endpoint (botocore's `endpoint_url`) and
 * path-style addressing; the queue, table and bucket parameter by name, as the CDK stack
 * passes them.
 */
function originalEnv(run: ToolRunSpec, name: string): Record<string, string> {
  const dir = join(run.workDir, name);
  const profile = (label: string, e: { endpoint: string; region: string }) =>
    `[profile ${label}]\nregion = ${e.region}\nendpoint_url = ${e.endpoint}\ns3 =\n  addressing_style = path\n`;
  const keys = (label: string, e: { accessKeyId: string; secretAccessKey: string }) =>
    `[${label}]\naws_access_key_id = ${e.accessKeyId}\naws_secret_access_key = ${e.secretAccessKey}\n`;
  if (run.services.endpoint !== run.source.endpoint || run.services.accessKeyId !== run.source.accessKeyId) {
    throw new Error(
      "the original reads the source and its queue with one profile: they must share an endpoint",
    );
  }
  writeFileSync(join(dir, "config"), `${profile("iad", run.source)}\n${profile("zhy", run.destination)}`);
  writeFileSync(join(dir, "credentials"), `${keys("iad", run.source)}\n${keys("zhy", run.destination)}`, {
    mode: 0o600,
  });
  return {
    AWS_CONFIG_FILE: join(dir, "config"),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, "credentials"),
    table_queue_name: name,
    sqs_queue_name: name,
    ssm_parameter_bucket: name,
  };
}
