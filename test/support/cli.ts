import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { EmulatorSide } from "../emulator/emulator.js";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const longbowBin = join(repoRoot, "bin", "longbow.js");

/**
 * An AWS config folder with one profile per emulator side, so migration files can say
 * `credentials: { profile: global }` and each side gets only its own key.
 */
export function writeProfiles(dir: string, sides: EmulatorSide[]): Record<string, string> {
  mkdirSync(dir, { recursive: true });
  const credentials = sides
    .map(
      (s) =>
        `[${s.name}]\naws_access_key_id = ${s.accessKeyId}\naws_secret_access_key = ${s.secretAccessKey}\n`,
    )
    .join("\n");
  const config = sides.map((s) => `[profile ${s.name}]\nregion = ${s.region}\n`).join("\n");
  writeFileSync(join(dir, "credentials"), credentials);
  writeFileSync(join(dir, "config"), config);
  return { AWS_SHARED_CREDENTIALS_FILE: join(dir, "credentials"), AWS_CONFIG_FILE: join(dir, "config") };
}

/** The environment that makes `side` the default credentials (the control plane's: SSM, SQS, DynamoDB). */
export function defaultCredentials(side: EmulatorSide): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: side.accessKeyId,
    AWS_SECRET_ACCESS_KEY: side.secretAccessKey,
    AWS_REGION: side.region,
  };
}

/** One side of a test migration: a bucket of an emulator side, reached with that side's profile unless told otherwise. */
export interface MigrationSide {
  side: EmulatorSide;
  bucket: string;
  prefix?: string;
  /** @defaultValue the side's key-guard endpoint */
  endpoint?: string;
  /** A profile of {@link writeProfiles}. @defaultValue the side's own */
  profile?: string;
}

/** The text of a migration file between two emulator sides; `more` adds root fields (ignore, compare, ...). */
export function migrationYaml(
  name: string,
  source: MigrationSide,
  destination: MigrationSide,
  more: Record<string, unknown> = {},
): string {
  const side = (s: MigrationSide) => ({
    bucket: s.bucket,
    ...(s.prefix === undefined ? {} : { prefix: s.prefix }),
    region: s.side.region,
    endpoint: s.endpoint ?? s.side.endpoint,
    credentials: { profile: s.profile ?? s.side.name },
  });
  // JSON is YAML: no serializer needed for a file the loader validates anyway
  return `${JSON.stringify({ name, source: side(source), destination: side(destination), ...more }, null, 2)}\n`;
}

/** Writes {@link migrationYaml} as `<dir>/<name>.yaml` (creating `dir`); returns `dir`. */
export function writeMigration(
  dir: string,
  name: string,
  source: MigrationSide,
  destination: MigrationSide,
  more?: Record<string, unknown>,
): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.yaml`), migrationYaml(name, source, destination, more));
  return dir;
}

/** A running `longbow` process with its output collected. */
export interface LongbowProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** JSON lines of stderr (logs, progress). */
  lines: () => Record<string, unknown>[];
  exited: Promise<number | null>;
  /** Resolves once stderr matches `pattern`; rejects if the process exits first. */
  untilStderr: (pattern: RegExp) => Promise<void>;
}

export function runLongbow(args: string[], env: Record<string, string>): LongbowProcess {
  const child = spawn(process.execPath, [longbowBin, ...args], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  const untilStderr = (pattern: RegExp) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!pattern.test(err)) return;
        child.stderr?.off("data", check);
        resolve();
      };
      child.stderr?.on("data", check);
      check();
      void exited.then((code) => {
        child.stderr?.off("data", check);
        reject(new Error(`longbow exited (${code}) before its stderr matched ${pattern}: ${err}`));
      });
    });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    lines: () =>
      err.split("\n").flatMap((l) => {
        try {
          return l.startsWith("{") ? [JSON.parse(l) as Record<string, unknown>] : [];
        } catch {
          return [];
        }
      }),
    exited,
    untilStderr,
  };
}

/** Runs `longbow` to its end: its exit code and all it wrote. */
export async function longbowResult(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = runLongbow(args, env);
  // "close", not "exit": by then both pipes are drained
  const code = await new Promise<number | null>((r) => run.child.once("close", (c) => r(c)));
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}
