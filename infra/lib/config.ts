import { defaultSettings, resolveSettings } from "../../worker/src/settings/index.js";
import { requireWholeNumber } from "../../worker/src/whole-number.js";

/**
 * The one typed configuration of the Longbow stack. Every field is optional in the JSON file
 * (`infra/longbow.config.json` or the `longbow` CDK context key); {@link resolveConfig}
 * applies the defaults in one place and {@link validateConfig} checks ranges and relations
 * with messages that name the field.
 */

/** The AWS partition the stack is deployed into. */
export type Partition = "aws" | "aws-cn";

/** One side of a migration as far as grants are concerned. */
export interface MigrationGrantSide {
  readonly bucket: string;
  /** @defaultValue "" (the whole bucket) */
  readonly prefix?: string;
  /** @defaultValue undefined: the stack's own region */
  readonly region?: string;
  /** A custom endpoint means an S3-compatible store, which IAM does not govern. */
  readonly endpoint?: string;
  /** @defaultValue "default" (the worker's own role) */
  readonly credentials?:
    | "default"
    | { readonly profile: string }
    | { readonly ssmParameter: string; readonly region?: string };
}

/** Which buckets of one migration the fleet is granted; a structural subset of the worker's Migration. */
export interface MigrationGrantSource {
  /** Used in messages only. */
  readonly name?: string;
  readonly source: MigrationGrantSide;
  readonly destination: MigrationGrantSide & {
    /** With `SSE-KMS`, the fleet is granted the key (already validated: in the destination's region). */
    readonly encryption?: { readonly type: string; readonly keyId?: string };
  };
  /** @defaultValue true */
  readonly enabled?: boolean;
}

/** Engine settings passed to every worker as `LONGBOW_*` environment variables; unset fields keep the engine's defaults. */
export interface WorkerSettingsConfig {
  /** Objects copied at once per instance. @defaultValue engine default (5) */
  readonly filesInParallel?: number;
  /** Parts in flight per object. @defaultValue engine default (20) */
  readonly partsInParallel?: number;
  /** Fixed part size in MiB. @defaultValue engine default (auto) */
  readonly partSizeMiB?: number;
  /** Objects up to this size (MiB) are copied in one request. @defaultValue engine default (5) */
  readonly multipartThresholdMiB?: number;
  /** In-memory byte budget per worker process (MiB). @defaultValue engine default (512) */
  readonly byteBudgetMiB?: number;
  /** Attempts per S3 request. @defaultValue engine default (20) */
  readonly maxRetries?: number;
  /** pino log level. @defaultValue engine default ("info") */
  readonly logLevel?: string;
  /** How often a worker extends a running job's visibility (to three times this). @defaultValue engine default (60) */
  readonly heartbeatSeconds?: number;
}

/** The optional Lambda worker (the original's serverless / hybrid mode). */
export interface LambdaWorkerConfig {
  /** @defaultValue false */
  readonly enabled?: boolean;
  /** Memory in MiB; CPU and network scale with it. @defaultValue 3008 */
  readonly memoryMiB?: number;
  /** Function timeout in seconds; at most 900 and at most the queue's visibility timeout. @defaultValue 900 */
  readonly timeoutSeconds?: number;
  /** Upper bound on concurrent invocations the SQS event source starts (2..1000). @defaultValue 10 */
  readonly maxConcurrency?: number;
  /** Handler inside the worker bundle directory. @defaultValue "lambda.handler" */
  readonly handler?: string;
}

/** Optional GitHub Actions OIDC roles. */
export interface GitHubConfig {
  /** `owner/name` of the repository allowed to assume the roles. */
  readonly repository: string;
  /** Branch the scheduled workflows (sync, report) run on; the sync and report roles trust it. @defaultValue "main" */
  readonly deployBranch?: string;
  /**
   * GitHub environment of the deploy job (`.github/workflows/deploy.yml`); the deploy role
   * trusts only it. Give it a deployment-branch rule (the deploy branch only) and required
   * reviewers (README, Deploy). @defaultValue "longbow-production"
   */
  readonly deployEnvironment?: string;
  /**
   * SSM SecureString with a **read-only** access key of the other partition (list the
   * buckets only), which the plan role may read for pull requests
   * (`LONGBOW_CHINA_PLAN_CREDENTIALS_PARAMETER`). Must not be the fleet's `credentialsParameter`
   * nor one a migration names. @defaultValue undefined: the plan role reads no parameter (use a
   * read-only role of the other partition, `LONGBOW_CHINA_PLAN_ROLE_ARN`, instead)
   */
  readonly planCredentialsParameter?: string;
  /**
   * ARN of an existing `token.actions.githubusercontent.com` provider (there can be only one
   * per account). @defaultValue undefined: the stack creates the provider
   */
  readonly oidcProviderArn?: string;
}

/** What the JSON file or the context may hold: everything optional. */
export interface LongbowConfigInput {
  /** @defaultValue "Longbow" */
  readonly stackName?: string;
  /**
   * Partition the stack is deployed into. Only buckets whose migration region lies in this
   * partition are granted to the fleet's role; the other side is reached with the
   * credentials parameter. @defaultValue "aws"
   */
  readonly partition?: Partition;
  /** Spot-friendly mix of instance types, first is the launch template's. @defaultValue ["c5.large", "c6i.large", "c5a.large", "m5.large", "m6i.large"] */
  readonly instanceTypes?: readonly string[];
  /** @defaultValue 1 */
  readonly minCapacity?: number;
  /** @defaultValue 10 */
  readonly maxCapacity?: number;
  /** On-demand instances always kept before Spot is used. @defaultValue 0 */
  readonly onDemandBaseCapacity?: number;
  /** Percent of capacity above the base that is on-demand. @defaultValue 0 */
  readonly onDemandPercentageAboveBase?: number;
  /** Root volume size in GiB (logs only; bytes never touch disk). @defaultValue 16 */
  readonly rootVolumeGiB?: number;
  /** A job running longer is aborted and left resumable (engine JobTimeout). @defaultValue 3600 */
  readonly jobTimeoutSeconds?: number;
  /**
   * SQS visibility timeout of a freshly received job. From the first heartbeat on, the
   * worker keeps the job hidden itself (three heartbeats ahead), so this only has to outlast
   * the first heartbeat and the Lambda worker's timeout; it is also how long the job of a
   * worker that died before its first heartbeat stays hidden. @defaultValue 900
   */
  readonly visibilityTimeoutSeconds?: number;
  /** Receives before a job goes to the dead-letter queue. @defaultValue 24 */
  readonly maxReceiveCount?: number;
  /**
   * How long a stopping worker may drain: systemd's TimeoutStopSec; the engine's stop
   * deadline (LONGBOW_STOP_DEADLINE_SECONDS) is 30 s less, leaving time to release messages;
   * the lifecycle hook waits 120 s more. 120 s matches a Spot interruption notice.
   * @defaultValue 120
   */
  readonly drainTimeoutSeconds?: number;
  /** Visible messages at which the fleet adds one instance / two instances. @defaultValue [100, 500] */
  readonly scaleOutThresholds?: readonly [number, number];
  /** Email subscribed to alarms and the "batch finished" notice. @defaultValue undefined: no subscription */
  readonly notificationEmail?: string;
  /** SSM SecureString holding the other side's access key; referenced, never created. @defaultValue "s3_migration_credentials" */
  readonly credentialsParameter?: string;
  /** Customer KMS key of the credentials parameter. @defaultValue undefined: the AWS-managed aws/ssm key */
  readonly credentialsKmsKeyArn?: string;
  /** Prefix of the stack's SSM parameters. @defaultValue "/longbow" */
  readonly ssmPrefix?: string;
  /** SSM path the migrations are published under. @defaultValue "<ssmPrefix>/migrations" */
  readonly migrationsPath?: string;
  /** Directory of the built worker bundle (`npm run build`), relative to the repository root. @defaultValue "dist" */
  readonly workerBundleDir?: string;
  /** Directory of `migrations/*.yaml` read at synth time, relative to the repository root. @defaultValue "migrations" */
  readonly migrationsDir?: string;
  /** CloudWatch log retention in days. @defaultValue 30 */
  readonly logRetentionDays?: number;
  /** @defaultValue {} */
  readonly worker?: WorkerSettingsConfig;
  /** @defaultValue { enabled: false } */
  readonly lambdaWorker?: LambdaWorkerConfig;
  /** Creates a bucket whose ObjectCreated events feed the queue. @defaultValue false */
  readonly triggerBucket?: boolean;
  /** @defaultValue undefined: no GitHub roles */
  readonly github?: GitHubConfig;
}

/** The resolved configuration: every default applied. */
export interface LongbowConfig {
  readonly stackName: string;
  readonly partition: Partition;
  readonly instanceTypes: readonly string[];
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly onDemandBaseCapacity: number;
  readonly onDemandPercentageAboveBase: number;
  readonly rootVolumeGiB: number;
  readonly jobTimeoutSeconds: number;
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
  readonly drainTimeoutSeconds: number;
  readonly scaleOutThresholds: readonly [number, number];
  readonly notificationEmail: string | undefined;
  readonly credentialsParameter: string;
  readonly credentialsKmsKeyArn: string | undefined;
  readonly ssmPrefix: string;
  readonly migrationsPath: string;
  readonly workerBundleDir: string;
  readonly migrationsDir: string;
  readonly logRetentionDays: number;
  readonly worker: WorkerSettingsConfig;
  readonly lambdaWorker: Required<LambdaWorkerConfig>;
  readonly triggerBucket: boolean;
  readonly github:
    | (Required<Omit<GitHubConfig, "oidcProviderArn" | "planCredentialsParameter">> & {
        readonly oidcProviderArn?: string;
        readonly planCredentialsParameter?: string;
      })
    | undefined;
}

/** Raised for a configuration the stack cannot honour; the message names the field. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** Applies the defaults (the only place they live) and validates. */
export function resolveConfig(input: LongbowConfigInput = {}): LongbowConfig {
  const ssmPrefix = input.ssmPrefix ?? "/longbow";
  const lambda = input.lambdaWorker ?? {};
  const config: LongbowConfig = {
    stackName: input.stackName ?? "Longbow",
    partition: input.partition ?? "aws",
    instanceTypes: input.instanceTypes ?? ["c5.large", "c6i.large", "c5a.large", "m5.large", "m6i.large"],
    minCapacity: input.minCapacity ?? 1,
    maxCapacity: input.maxCapacity ?? 10,
    onDemandBaseCapacity: input.onDemandBaseCapacity ?? 0,
    onDemandPercentageAboveBase: input.onDemandPercentageAboveBase ?? 0,
    rootVolumeGiB: input.rootVolumeGiB ?? 16,
    jobTimeoutSeconds: input.jobTimeoutSeconds ?? 3600,
    visibilityTimeoutSeconds: input.visibilityTimeoutSeconds ?? 900,
    maxReceiveCount: input.maxReceiveCount ?? 24,
    drainTimeoutSeconds: input.drainTimeoutSeconds ?? 120,
    scaleOutThresholds: input.scaleOutThresholds ?? [100, 500],
    notificationEmail: input.notificationEmail,
    credentialsParameter: input.credentialsParameter ?? "s3_migration_credentials",
    credentialsKmsKeyArn: input.credentialsKmsKeyArn,
    ssmPrefix,
    migrationsPath: input.migrationsPath ?? `${ssmPrefix}/migrations`,
    workerBundleDir: input.workerBundleDir ?? "dist",
    migrationsDir: input.migrationsDir ?? "migrations",
    logRetentionDays: input.logRetentionDays ?? 30,
    worker: input.worker ?? {},
    lambdaWorker: {
      enabled: lambda.enabled ?? false,
      memoryMiB: lambda.memoryMiB ?? 3008,
      timeoutSeconds: lambda.timeoutSeconds ?? 900,
      maxConcurrency: lambda.maxConcurrency ?? 10,
      handler: lambda.handler ?? "lambda.handler",
    },
    triggerBucket: input.triggerBucket ?? false,
    github:
      input.github === undefined
        ? undefined
        : {
            ...input.github,
            deployBranch: input.github.deployBranch ?? "main",
            deployEnvironment: input.github.deployEnvironment ?? "longbow-production",
          },
  };
  return validateConfig(config);
}

function wholeNumber(field: string, value: number, min: number, max?: number): void {
  requireWholeNumber(field, value, min, max, (m) => new ConfigError(m));
}

const MiB = 1024 * 1024;

/** The engine's own validation, so the stack never deploys settings the worker would refuse. */
function validateWorkerSettings(c: LongbowConfig): void {
  const w = c.worker;
  const bytes = (mib: number | undefined) => (mib === undefined ? undefined : mib * MiB);
  try {
    resolveSettings(
      {},
      {
        filesInParallel: w.filesInParallel,
        partsInParallel: w.partsInParallel,
        partSize: bytes(w.partSizeMiB),
        multipartThreshold: bytes(w.multipartThresholdMiB),
        byteBudget: bytes(w.byteBudgetMiB),
        maxRetries: w.maxRetries,
        logLevel: w.logLevel,
        heartbeatSeconds: w.heartbeatSeconds,
        jobTimeoutSeconds: c.jobTimeoutSeconds,
      },
    );
  } catch (err) {
    throw new ConfigError(`worker.${(err as Error).message}`);
  }
}

/** Checks ranges and relations; every message names the field. */
export function validateConfig(c: LongbowConfig): LongbowConfig {
  if (!/^[A-Za-z][A-Za-z0-9-]{0,63}$/.test(c.stackName)) {
    throw new ConfigError(
      `stackName must be a CloudFormation stack name (letters, digits, '-'), got '${c.stackName}'`,
    );
  }
  if (c.partition !== "aws" && c.partition !== "aws-cn") {
    throw new ConfigError(`partition must be 'aws' or 'aws-cn', got '${String(c.partition)}'`);
  }
  if (c.instanceTypes.length === 0 || c.instanceTypes.some((t) => !/^[a-z0-9-]+\.[a-z0-9]+$/.test(t))) {
    throw new ConfigError(
      `instanceTypes must list instance types such as 'c5.large', got ${JSON.stringify(c.instanceTypes)}`,
    );
  }
  wholeNumber("minCapacity", c.minCapacity, 0);
  wholeNumber("maxCapacity", c.maxCapacity, 1);
  if (c.minCapacity > c.maxCapacity) {
    throw new ConfigError(`minCapacity (${c.minCapacity}) must not exceed maxCapacity (${c.maxCapacity})`);
  }
  wholeNumber("onDemandBaseCapacity", c.onDemandBaseCapacity, 0, c.maxCapacity);
  wholeNumber("onDemandPercentageAboveBase", c.onDemandPercentageAboveBase, 0, 100);
  wholeNumber("rootVolumeGiB", c.rootVolumeGiB, 8, 1024);
  wholeNumber("jobTimeoutSeconds", c.jobTimeoutSeconds, 60, 43_200);
  wholeNumber("visibilityTimeoutSeconds", c.visibilityTimeoutSeconds, 60, 43_200);
  const heartbeat = c.worker.heartbeatSeconds ?? defaultSettings.heartbeatSeconds;
  if (c.visibilityTimeoutSeconds < 2 * heartbeat) {
    throw new ConfigError(
      `visibilityTimeoutSeconds (${c.visibilityTimeoutSeconds}) must be at least twice worker.heartbeatSeconds (${heartbeat}), or a job could reappear before its worker's first heartbeat`,
    );
  }
  wholeNumber("maxReceiveCount", c.maxReceiveCount, 1, 1000);
  // the engine's stop deadline is drain - 30 s; the lifecycle hook's timeout, drain + 120 s, may not exceed 7200 s
  wholeNumber("drainTimeoutSeconds", c.drainTimeoutSeconds, 60, 7080);
  const [one, two] = c.scaleOutThresholds;
  wholeNumber("scaleOutThresholds[0]", one, 1);
  wholeNumber("scaleOutThresholds[1]", two, one + 1);
  if (c.notificationEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(c.notificationEmail)) {
    throw new ConfigError(`notificationEmail must be an email address, got '${c.notificationEmail}'`);
  }
  if (!/^[A-Za-z0-9_.\-/]+$/.test(c.credentialsParameter)) {
    throw new ConfigError(
      `credentialsParameter must be an SSM parameter name, got '${c.credentialsParameter}'`,
    );
  }
  for (const [field, path] of [
    ["ssmPrefix", c.ssmPrefix],
    ["migrationsPath", c.migrationsPath],
  ] as const) {
    if (!/^(\/[A-Za-z0-9_.-]+)+$/.test(path)) {
      throw new ConfigError(`${field} must be an SSM path like '/longbow', got '${path}'`);
    }
  }
  wholeNumber("logRetentionDays", c.logRetentionDays, 1, 3653);
  validateWorkerSettings(c);
  const l = c.lambdaWorker;
  wholeNumber("lambdaWorker.memoryMiB", l.memoryMiB, 128, 10_240);
  wholeNumber("lambdaWorker.timeoutSeconds", l.timeoutSeconds, 1, 900);
  wholeNumber("lambdaWorker.maxConcurrency", l.maxConcurrency, 2, 1000);
  if (l.enabled && l.timeoutSeconds > c.visibilityTimeoutSeconds) {
    throw new ConfigError(
      `lambdaWorker.timeoutSeconds (${l.timeoutSeconds}) must not exceed visibilityTimeoutSeconds (${c.visibilityTimeoutSeconds})`,
    );
  }
  if (c.github !== undefined && !/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(c.github.repository)) {
    throw new ConfigError(`github.repository must be 'owner/name', got '${c.github.repository}'`);
  }
  const planKey = c.github?.planCredentialsParameter;
  if (planKey !== undefined && planKey.replace(/^\//, "") === c.credentialsParameter.replace(/^\//, "")) {
    throw new ConfigError(
      `github.planCredentialsParameter must hold a read-only key, not the fleet's credentialsParameter '${c.credentialsParameter}'`,
    );
  }
  return c;
}
