import { basename } from "node:path";
import { type Command, InvalidArgumentError, Option } from "commander";
import { LongbowError } from "../../errors.js";
import { createLogger } from "../../log/index.js";
import {
  type CredentialsRef,
  createS3Client,
  describeEndpoint,
  type EndpointSpec,
  type StorageClass,
  s3ClientSettings,
  storageClasses,
} from "../../s3/index.js";
import { defaultSettings, resolveSettings, type Settings } from "../../settings/index.js";
import { type CopyResult, copyObject, TransferEngine } from "../../transfer/index.js";
import type { RegisterCommand } from "../commands.js";
import { interruptedExit, usageExit, withExitCodes } from "../exit-codes.js";
import { endpointUrl, maxPartMiB, mebibytes, wholeNumber } from "../flags.js";
import { CopyProgress } from "./cp-progress.js";

const MiB = 1024 * 1024;

/** Exit codes of `longbow cp` (documented in the README). */
export const cpExitCodes = {
  copied: 0,
  identical: 0,
  failed: 1,
  usage: usageExit,
  "source-missing": 3,
  "source-changed": 4,
  "needs-restore": 5,
  interrupted: interruptedExit,
} as const;

/** `s3://bucket/key` split; the key may be empty (a destination "folder"). */
export function parseS3Url(url: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/s.exec(url);
  if (!m?.[1]) throw new InvalidArgumentError(`expected s3://bucket/key, got '${url}'`);
  return { bucket: m[1], key: m[2] ?? "" };
}

interface SideFlags {
  endpoint?: string;
  region?: string;
  profile?: string;
  credentialsParameter?: string;
  credentialsRegion?: string;
}

interface CpFlags {
  storageClass?: StorageClass;
  sourceVersionId?: string;
  parts?: number;
  partSize?: number;
  threshold?: number;
  timeout?: number;
  json?: boolean;
  provenance: boolean;
  [flag: string]: unknown;
}

function sideFlags(flags: CpFlags, side: "source" | "dest"): SideFlags {
  const get = (name: string) => flags[`${side}${name}`] as string | undefined;
  return {
    endpoint: get("Endpoint"),
    region: get("Region"),
    profile: get("Profile"),
    credentialsParameter: get("CredentialsParameter"),
    credentialsRegion: get("CredentialsRegion"),
  };
}

/** Builds one side's endpoint from its flags; region falls back to AWS_REGION, then us-east-1. */
export function endpointFromFlags(f: SideFlags, side: string, env: NodeJS.ProcessEnv): EndpointSpec {
  if (f.profile !== undefined && f.credentialsParameter !== undefined) {
    throw new InvalidArgumentError(
      `--${side}-profile and --${side}-credentials-parameter exclude each other`,
    );
  }
  const credentials: CredentialsRef =
    f.credentialsParameter !== undefined
      ? {
          ssmParameter: f.credentialsParameter,
          ...(f.credentialsRegion === undefined ? {} : { region: f.credentialsRegion }),
        }
      : f.profile !== undefined
        ? { profile: f.profile }
        : "default";
  return {
    region: f.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1",
    ...(f.endpoint === undefined ? {} : { endpoint: f.endpoint }),
    credentials,
  };
}

function addSideOptions(cmd: Command, side: "source" | "dest", name: string): Command {
  return cmd
    .option(
      `--${side}-endpoint <url>`,
      `custom S3 endpoint of the ${name} (S3-compatible stores, AWS China's own)`,
      endpointUrl,
    )
    .option(`--${side}-region <region>`, `region of the ${name} (default: AWS_REGION, else us-east-1)`)
    .option(`--${side}-profile <name>`, `named profile for the ${name}`)
    .option(
      `--${side}-credentials-parameter <name>`,
      `SSM SecureString with {"aws_access_key_id","aws_secret_access_key","region"} for the ${name}`,
    )
    .option(
      `--${side}-credentials-region <region>`,
      `region of that SSM parameter (default: the SDK's region)`,
    );
}

function humanLine(result: CopyResult, from: string, to: string): string {
  const size = `${(result.bytes / MiB).toFixed(1)} MiB`;
  switch (result.status) {
    case "copied":
      return `copied ${from} -> ${to}: ${size} in ${(result.durationMs / 1000).toFixed(1)} s (${result.partsTotal} part(s), ${result.partsReused} reused)`;
    case "identical":
      return `identical ${from} -> ${to}: nothing to copy`;
    default:
      return `${result.status} ${from} -> ${to}: ${result.error ?? ""}`;
  }
}

async function runCp(sourceUrl: string, destUrl: string, flags: CpFlags): Promise<number> {
  const src = parseS3Url(sourceUrl);
  const dst = parseS3Url(destUrl);
  if (src.key === "") throw new InvalidArgumentError(`source '${sourceUrl}' names no key`);
  // "s3://bucket/" or "s3://bucket/prefix/" as destination: keep the source's file name, as `aws s3 cp` does.
  if ((dst.key === "" || dst.key.endsWith("/")) && !src.key.endsWith("/")) dst.key += basename(src.key);
  const overrides: Partial<Settings> = {
    partsInParallel: flags.parts,
    partSize: flags.partSize === undefined ? undefined : flags.partSize * MiB,
    multipartThreshold: flags.threshold === undefined ? undefined : flags.threshold * MiB,
    jobTimeoutSeconds: flags.timeout,
  };
  const settings = resolveSettings(process.env, overrides);
  const tty = process.stderr.isTTY === true && !flags.json;
  // On a terminal log lines go through process.stderr, so that the bar moves below them.
  const logger = createLogger({ level: settings.logLevel, ...(tty ? { destination: process.stderr } : {}) });
  const sourceSpec = endpointFromFlags(sideFlags(flags, "source"), "source", process.env);
  const destSpec = endpointFromFlags(sideFlags(flags, "dest"), "dest", process.env);
  // the same engine as work and migrate, sized for one object: partsInParallel connections
  const engine = new TransferEngine({
    settings: { ...settings, filesInParallel: 1 },
    minPartSize: settings.minPartSize,
  });
  const clientOptions = { maxSockets: settings.partsInParallel, ...s3ClientSettings(settings) };
  const [source, destination] = await Promise.all([
    createS3Client(sourceSpec, { ...clientOptions, side: "source" }),
    createS3Client(destSpec, { ...clientOptions, side: "destination" }),
  ]);
  const interrupt = new AbortController();
  const onSigint = () => interrupt.abort(new Error("interrupted"));
  process.once("SIGINT", onSigint);
  const bar = tty
    ? new CopyProgress({
        stream: process.stderr,
        ...(process.stdout.isTTY ? { alsoOn: [process.stdout] } : {}),
      })
    : undefined;
  try {
    const lane = { migration: "cp", partsInParallel: settings.partsInParallel };
    const copy = () =>
      copyObject(
        {
          migration: "cp",
          source: {
            ...src,
            ...(flags.sourceVersionId === undefined ? {} : { versionId: flags.sourceVersionId }),
          },
          destination: {
            ...dst,
            ...(flags.storageClass === undefined ? {} : { storageClass: flags.storageClass }),
          },
        },
        {
          source,
          destination,
          sourceLabel: describeEndpoint(sourceSpec),
          destinationLabel: describeEndpoint(destSpec),
          settings,
          minPartSize: settings.minPartSize,
          pool: engine.pool,
          budget: engine.budget,
          logger,
          provenance: flags.provenance,
          signal: interrupt.signal,
          onProgress: (e) => bar?.onEvent(e),
        },
      );
    const result = await engine.run(undefined, lane, copy, interrupt.signal);
    bar?.stop();
    process.stdout.write(
      `${flags.json ? JSON.stringify(result) : humanLine(result, sourceUrl, `s3://${dst.bucket}/${dst.key}`)}\n`,
    );
    if (interrupt.signal.aborted) {
      process.stderr.write(
        "longbow cp: interrupted; the upload is kept: run the same command again to resume (parts already sent are not sent again)\n",
      );
      return cpExitCodes.interrupted;
    }
    return cpExitCodes[result.status];
  } finally {
    bar?.stop();
    process.removeListener("SIGINT", onSigint);
    source.destroy();
    destination.destroy();
  }
}

/**
 * `longbow cp <s3://bucket/key> <s3://bucket/key>`: one verified, resumable copy between two
 * endpoints with separate credentials. Exit codes: {@link cpExitCodes}.
 */
export const registerCp: RegisterCommand = (program) => {
  const cmd = program
    .command("cp")
    .description("copy one object between two S3 endpoints that share no credentials (verified, resumable)")
    .argument("<source>", "s3://bucket/key")
    .argument("<destination>", "s3://bucket/key (a trailing / keeps the source's file name)");
  addSideOptions(cmd, "source", "source");
  addSideOptions(cmd, "dest", "destination");
  cmd
    .addOption(
      new Option("--storage-class <class>", "destination storage class (default: STANDARD)").choices([
        ...storageClasses,
      ]),
    )
    .option("--source-version-id <id>", "copy this version of the source")
    .option(
      "--parts <n>",
      `parts in flight at once (default: ${defaultSettings.partsInParallel}, env LONGBOW_PARTS_IN_PARALLEL)`,
      wholeNumber({ max: 1000 }),
    )
    .option(
      "--part-size <MiB>",
      `part size in MiB, 5 to ${maxPartMiB} (default: auto, mirrors the source's parts)`,
      mebibytes({ min: 5, max: maxPartMiB }),
    )
    .option(
      "--threshold <MiB>",
      `objects above this size are copied in parts (default: ${defaultSettings.multipartThreshold / MiB})`,
      mebibytes({ min: 0, max: maxPartMiB }),
    )
    .option(
      "--timeout <seconds>",
      `abort the copy after this long, keeping the upload for resume (default: ${defaultSettings.jobTimeoutSeconds})`,
      wholeNumber({ unit: "seconds" }),
    )
    .option("--json", "print the result as JSON")
    .option("--no-provenance", "do not record the source ETag/versionId as metadata on the destination")
    .action(async (source: string, destination: string, flags: CpFlags) => {
      try {
        process.exitCode = await runCp(source, destination, flags);
      } catch (err) {
        if (
          err instanceof InvalidArgumentError ||
          (err instanceof LongbowError && err.code === "InvalidSetting")
        ) {
          process.stderr.write(`longbow cp: ${err.message}\n`);
          process.exitCode = cpExitCodes.usage;
          return;
        }
        throw err;
      }
    });
  withExitCodes(cmd, "cp");
};
