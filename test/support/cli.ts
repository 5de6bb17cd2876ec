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
