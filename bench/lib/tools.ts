import { writeFileSync } from "node:fs";
import { join } from "node:path";

/** One side of a copy as a client process needs to reach it. */
export interface ToolEndpoint {
  name: "global" | "china";
  endpoint: string;
  /** The emulator itself, for the bench's own checks (never through the WAN proxy). */
  directEndpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  bucket: string;
  prefix: string;
}

/** The SQS-, DynamoDB- and SSM-compatible endpoint cluster tools queue on (the "global" emulator). */
export interface ServiceEndpoint {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface ToolRunSpec {
  source: ToolEndpoint;
  destination: ToolEndpoint;
  services: ServiceEndpoint;
  /** Scratch folder (config files, reports). */
  workDir: string;
  /** Names this run's files in workDir, e.g. `wan-wan-1`. */
  runName: string;
}

export interface ToolCommand {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

/** One process of a tool's run, measured on its own: `send`, then `work`; or `rclone copy`. */
export interface ToolStep extends ToolCommand {
  /** e.g. "send", "work"; the row's cost is the sum over its steps. */
  name: string;
  /**
   * For a process that never ends by itself (the original's worker): polled while it runs;
   * once true the process is stopped and its run ends there.
   */
  stopWhen?: () => Promise<boolean>;
  /**
   * Processes of this step started at once (several `longbow work` on one queue): the
   * step's wall time is the last one's end, its CPU the sum, its peak RSS the largest.
   * @defaultValue 1
   */
  processes?: number;
}

/** A client the benchmark compares: how to start it for one copy. */
export interface Tool {
  /** Row label, e.g. "longbow migrate". */
  name: string;
  /** "rclone", "longbow" or "original": whose row it is, for the ratios. */
  kind: "rclone" | "longbow" | "original";
  /** The settings that matter, for the results' notes. */
  settings: string;
  /** Longbow's byte budget in MiB, for the peak-RSS target. */
  budgetMiB?: number;
  /** Prepares what the run needs (queues, tables) and returns its processes, run in order. */
  steps(run: ToolRunSpec): Promise<ToolStep[]>;
}

/** Only what a process needs to start; no AWS_* from the caller's shell leaks into a client. */
export function baseEnv(): NodeJS.ProcessEnv {
  const keep = ["PATH", "HOME", "LANG", "TMPDIR", "NODE_PATH"];
  return Object.fromEntries(keep.flatMap((k) => (process.env[k] === undefined ? [] : [[k, process.env[k]]])));
}

/**
 * `rclone copy` with `transfers` files × `uploadConcurrency` parts of 5 MiB and multipart
 * above 5 MiB (the original Longbow's ResumableThreshold) rather than rclone's 200 MiB
 * default; 5 × 20 is the original's concurrency. `--checkers` (listing and comparing) rises
 * with the transfers, never below rclone's default of 8. Remotes come from
 * RCLONE_CONFIG_<NAME>_* variables, one key pair each; rclone 1.60 needs ListObjects v2
 * against the emulator.
 */
export function rcloneTool(
  options: { transfers?: number; uploadConcurrency?: number; chunkSize?: string } = {},
): Tool {
  const transfers = options.transfers ?? 5;
  const uploadConcurrency = options.uploadConcurrency ?? 20;
  const chunkSize = options.chunkSize ?? "5M";
  const checkers = Math.max(8, transfers);
  const remote = (name: string, e: ToolEndpoint) => ({
    [`RCLONE_CONFIG_${name}_TYPE`]: "s3",
    [`RCLONE_CONFIG_${name}_PROVIDER`]: "Other",
    [`RCLONE_CONFIG_${name}_ENDPOINT`]: e.endpoint,
    [`RCLONE_CONFIG_${name}_REGION`]: e.region,
    [`RCLONE_CONFIG_${name}_ACCESS_KEY_ID`]: e.accessKeyId,
    [`RCLONE_CONFIG_${name}_SECRET_ACCESS_KEY`]: e.secretAccessKey,
    [`RCLONE_CONFIG_${name}_FORCE_PATH_STYLE`]: "true",
  });
  return {
    name: `rclone ${transfers}x${uploadConcurrency}`,
    kind: "rclone",
    settings: `--transfers ${transfers} --checkers ${checkers} --s3-upload-concurrency ${uploadConcurrency} --s3-chunk-size ${chunkSize} --s3-upload-cutoff ${chunkSize}`,
    steps: async (run) => [
      {
        name: "copy",
        command: "rclone",
        args: [
          "copy",
          `src:${run.source.bucket}/${run.source.prefix}`,
          `dst:${run.destination.bucket}/${run.destination.prefix}`,
          "--transfers",
          String(transfers),
          "--checkers",
          String(checkers),
          "--s3-upload-concurrency",
          String(uploadConcurrency),
          "--s3-chunk-size",
          chunkSize,
          "--s3-upload-cutoff",
          chunkSize,
          "--s3-list-version",
          "2",
          "--retries",
          "3",
          "-q",
        ],
        env: {
          ...baseEnv(),
          RCLONE_CONFIG: join(run.workDir, "rclone-none.conf"),
          ...remote("SRC", run.source),
          ...remote("DST", run.destination),
        },
      },
    ],
  };
}

/** The rclone settings every full run tries: the original's 5 × 20, and more files at once. */
export const rcloneSweep = [
  { transfers: 5, uploadConcurrency: 20 },
  { transfers: 32, uploadConcurrency: 8 },
  { transfers: 64, uploadConcurrency: 4 },
];

/** A tool's `LONGBOW_*` settings for the results' notes. */
export function describeSettings(settingsEnv: Record<string, string>, nodeArgs: string[] = []): string {
  const text = [
    ...nodeArgs.map((a) => `node ${a}`),
    ...Object.entries(settingsEnv).map(([k, v]) => `${k}=${v}`),
  ].join(" ");
  return text || "(defaults)";
}

/**
 * Writes each side's key pair into its own profile ("global", "china") of a shared
 * credentials file in the run's folder, as on an operator's laptop; returns its path.
 */
export function writeProfiles(run: ToolRunSpec): string {
  const credentialsFile = join(run.workDir, "aws-credentials");
  writeFileSync(
    credentialsFile,
    [run.source, run.destination]
      .map(
        (e) =>
          `[${e.name}]\naws_access_key_id = ${e.accessKeyId}\naws_secret_access_key = ${e.secretAccessKey}\n`,
      )
      .join("\n"),
    { mode: 0o600 },
  );
  return credentialsFile;
}
