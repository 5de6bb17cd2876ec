import { parseEndpointAllowlist } from "../../worker/src/s3/index.js";
import { ActionInputError } from "./errors.js";

/** The Action's commands, one module each under `commands/`. */
export const commandNames = ["validate", "plan", "publish", "send", "report"] as const;
export type CommandName = (typeof commandNames)[number];

/** Per-partition overrides of what each migration says about its sides. */
export interface SideInputs {
  /** Named profile replacing the migration's credentials. @defaultValue undefined (keep the migration's) */
  profile: string | undefined;
  /** SSM SecureString parameter replacing the migration's credentials. @defaultValue undefined */
  credentialsParameter: string | undefined;
  /** S3 endpoint URL replacing the migration's. @defaultValue undefined */
  endpoint: string | undefined;
}

/** Every input of `action.yml`, parsed and checked. */
export interface ActionInputs {
  command: CommandName;
  /** @defaultValue "migrations" */
  migrationsPath: string;
  /** @defaultValue "" (no API calls possible) */
  githubToken: string;
  /** Bucket names, or prefixes ending in `*`. @defaultValue [] (no allowlist configured) */
  bucketAllowlist: string[];
  /**
   * Custom S3 endpoints a migration file may name, normalized (see `normalizeEndpoint`).
   * AWS's own endpoints for a side's region need no entry. @defaultValue [] (none)
   */
  endpointAllowlist: string[];
  /** Control-plane region. @defaultValue the AWS_REGION environment variable */
  awsRegion: string | undefined;
  /** @defaultValue "/longbow/migrations" */
  ssmPath: string;
  /** @defaultValue undefined */
  queueUrl: string | undefined;
  /** @defaultValue undefined */
  tableName: string | undefined;
  /** Bytes per second that plan ETAs assume. @defaultValue 100 MB/s */
  throughput: number;
  global: SideInputs;
  china: SideInputs;
}

/** Reads one input by its `action.yml` name; `""` when absent. */
export type InputReader = (name: string) => string;

// MB (not MiB) per second, as `longbow plan --throughput`.
const MB = 1_000_000;

function optional(value: string): string | undefined {
  return value === "" ? undefined : value;
}

function side(read: InputReader, partition: "global" | "china"): SideInputs {
  const profile = optional(read(`${partition}-profile`));
  const credentialsParameter = optional(read(`${partition}-credentials-parameter`));
  const endpoint = optional(read(`${partition}-endpoint`));
  if (profile !== undefined && credentialsParameter !== undefined) {
    throw new ActionInputError(
      `inputs ${partition}-profile and ${partition}-credentials-parameter are exclusive; set one`,
    );
  }
  if (endpoint !== undefined && !URL.canParse(endpoint)) {
    throw new ActionInputError(`input ${partition}-endpoint must be a URL, got '${endpoint}'`);
  }
  return { profile, credentialsParameter, endpoint };
}

/** Splits the allowlist on commas and new lines; blank entries are dropped. */
export function parseAllowlist(raw: string): string[] {
  return raw
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

function endpointAllowlist(raw: string): string[] {
  try {
    return parseEndpointAllowlist(parseAllowlist(raw));
  } catch (err) {
    throw new ActionInputError(`input endpoint-allowlist: ${(err as Error).message}`);
  }
}

/**
 * Parses and validates the Action's inputs. Defaults live here (and mirror `action.yml`) so
 * that a local run with only `INPUT_COMMAND` set behaves like a workflow run.
 */
export function parseInputs(read: InputReader, env: NodeJS.ProcessEnv = {}): ActionInputs {
  const command = read("command");
  if (!(commandNames as readonly string[]).includes(command)) {
    throw new ActionInputError(`input command must be one of ${commandNames.join(", ")}, got '${command}'`);
  }
  const throughputRaw = read("throughput") || "100";
  const throughput = Number(throughputRaw);
  if (!Number.isFinite(throughput) || throughput <= 0) {
    throw new ActionInputError(`input throughput must be a positive number of MB/s, got '${throughputRaw}'`);
  }
  const ssmPath = read("ssm-path") || "/longbow/migrations";
  if (!ssmPath.startsWith("/")) {
    throw new ActionInputError(`input ssm-path must start with '/', got '${ssmPath}'`);
  }
  return {
    command: command as CommandName,
    migrationsPath: read("migrations-path") || "migrations",
    githubToken: read("github-token"),
    bucketAllowlist: parseAllowlist(read("bucket-allowlist")),
    endpointAllowlist: endpointAllowlist(read("endpoint-allowlist")),
    awsRegion:
      optional(read("aws-region")) ??
      optional(env.AWS_REGION ?? "") ??
      optional(env.AWS_DEFAULT_REGION ?? ""),
    ssmPath,
    queueUrl: optional(read("queue-url")),
    tableName: optional(read("table-name")),
    throughput: throughput * MB,
    global: side(read, "global"),
    china: side(read, "china"),
  };
}

/** Throws when a command needs an input the workflow did not give. */
export function requireInput<T>(value: T | undefined, name: string, command: CommandName): T {
  if (value === undefined || value === "") {
    throw new ActionInputError(`input ${name} is required for command ${command}`);
  }
  return value;
}
