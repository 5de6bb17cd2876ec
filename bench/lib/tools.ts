import { writeFileSync } from "node:fs";
import { join } from "node:path";

/** One side of a copy as a client process needs to reach it. */
export interface ToolEndpoint {
  name: "global" | "china";
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  bucket: string;
  prefix: string;
}

export interface ToolRunSpec {
  source: ToolEndpoint;
  destination: ToolEndpoint;
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

/** A client the benchmark compares: how to start it for one copy. */
export interface Tool {
  /** Row label, e.g. "longbow defaults". */
  name: string;
  /** The settings that matter, for the results' notes. */
  settings: string;
  command(run: ToolRunSpec): ToolCommand;
}

/** Only what a process needs to start; no AWS_* from the caller's shell leaks into a client. */
export function baseEnv(): NodeJS.ProcessEnv {
  const keep = ["PATH", "HOME", "LANG", "TMPDIR", "NODE_PATH"];
  return Object.fromEntries(keep.flatMap((k) => (process.env[k] === undefined ? [] : [[k, process.env[k]]])));
}

/**
 * `rclone copy` with the original Longbow's concurrency: 5 files × 20 parts of 5 MiB, and
 * multipart above 5 MiB (its ResumableThreshold) rather than rclone's 200 MiB default.
 * Remotes come from RCLONE_CONFIG_<NAME>_* variables, one key pair each; rclone 1.60 needs
 * ListObjects v2 against the emulator.
 */
export function rcloneTool(
  options: { transfers?: number; uploadConcurrency?: number; chunkSize?: string } = {},
): Tool {
  const transfers = options.transfers ?? 5;
  const uploadConcurrency = options.uploadConcurrency ?? 20;
  const chunkSize = options.chunkSize ?? "5M";
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
    name: "rclone",
    settings: `--transfers ${transfers} --s3-upload-concurrency ${uploadConcurrency} --s3-chunk-size ${chunkSize} --s3-upload-cutoff ${chunkSize}`,
    command: (run) => ({
      command: "rclone",
      args: [
        "copy",
        `src:${run.source.bucket}/${run.source.prefix}`,
        `dst:${run.destination.bucket}/${run.destination.prefix}`,
        "--transfers",
        String(transfers),
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
    }),
  };
}

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

/**
 * The Longbow bench driver (bench/driver.ts, bundled): lists the source and copies every
 * object through one shared byte budget and transfer pool. Each side's key pair sits in
 * its own profile of a shared credentials file, as on an operator's laptop.
 */
export function longbowTool(
  name: string,
  driverPath: string,
  settingsEnv: Record<string, string> = {},
  /** Extra node flags, e.g. `--cpu-prof` to see where the client's CPU goes. */
  nodeArgs: string[] = [],
): Tool {
  return {
    name,
    settings: describeSettings(settingsEnv, nodeArgs),
    command: (run) => {
      const credentialsFile = writeProfiles(run);
      const side = (e: ToolEndpoint) => ({
        endpoint: e.endpoint,
        region: e.region,
        profile: e.name,
        bucket: e.bucket,
        prefix: e.prefix,
      });
      return {
        command: process.execPath,
        args: [...nodeArgs, driverPath],
        env: {
          ...baseEnv(),
          AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
          AWS_CONFIG_FILE: join(run.workDir, "aws-config-none"),
          LONGBOW_BENCH_TIMELINE: join(
            run.workDir,
            `timeline-${name.replaceAll(" ", "-")}-${run.runName.replaceAll(" ", "-")}.json`,
          ),
          LONGBOW_BENCH_SPEC: JSON.stringify({
            source: side(run.source),
            destination: side(run.destination),
          }),
          ...settingsEnv,
        },
      };
    },
  };
}
