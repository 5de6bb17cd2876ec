import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EmulatorSide } from "../../emulator/emulator.js";

const root = join(import.meta.dirname, "..", "..", "..");
const bundle = join(root, "action", "dist", "index.js");
const events = join(root, "test", "fixtures", "action", "events");

/** The event a run is triggered by: its name and the fixture holding its payload. */
export type EventName = "pull_request" | "pull_request_fork" | "push" | "schedule" | "workflow_dispatch";

export interface ActionRunOptions {
  /** Inputs by their `action.yml` names. */
  inputs: Record<string, string>;
  event: EventName;
  workspace: string;
  /** Base URL of the fake GitHub API. */
  githubApi: string;
  /** The side whose credentials the "workflow" put in the environment (the control plane). */
  aws?: EmulatorSide;
  env?: Record<string, string>;
}

export interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  /** What the run wrote to `GITHUB_STEP_SUMMARY`. */
  summary: string;
  /** Outputs the run set through `GITHUB_OUTPUT`. */
  outputs: Record<string, string>;
}

/** The key GitHub maps an input name to: upper case, spaces to `_`, hyphens kept. */
export const inputVar = (name: string) => `INPUT_${name.replace(/ /g, "_").toUpperCase()}`;

function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /^(.+?)<<(.+)\n([\s\S]*?)\n\2$/gm;
  for (const m of text.matchAll(re)) out[m[1] as string] = m[3] as string;
  return out;
}

/** A fresh checkout-like folder with `migrations/` holding the given files. */
export function workspaceWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "longbow-ws-"));
  mkdirSync(join(dir, "migrations"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, "migrations", name), text);
  return dir;
}

/**
 * Runs the bundled Action as the runner does: a child `node action/dist/index.js` with
 * `INPUT_*` variables, the event payload file, a summary file and an output file, and nothing
 * else from this process's environment.
 */
export async function runAction(o: ActionRunOptions): Promise<ActionRun> {
  const files = mkdtempSync(join(tmpdir(), "longbow-run-"));
  const summaryFile = join(files, "summary.md");
  const outputFile = join(files, "output.txt");
  writeFileSync(summaryFile, "");
  writeFileSync(outputFile, "");
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: files,
    GITHUB_ACTIONS: "true",
    GITHUB_EVENT_NAME: o.event === "pull_request_fork" ? "pull_request" : o.event,
    GITHUB_EVENT_PATH: join(events, `${o.event}.json`),
    GITHUB_REPOSITORY: "octo/longbow",
    GITHUB_API_URL: o.githubApi,
    GITHUB_SERVER_URL: "https://github.example",
    GITHUB_RUN_ID: "4242",
    GITHUB_WORKSPACE: o.workspace,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_OUTPUT: outputFile,
    // A real runner would give the token; the fake API only checks that one is sent.
    [inputVar("github-token")]: "ghs_faketoken",
  };
  if (o.aws !== undefined) {
    Object.assign(env, {
      AWS_ACCESS_KEY_ID: o.aws.accessKeyId,
      AWS_SECRET_ACCESS_KEY: o.aws.secretAccessKey,
      AWS_REGION: o.aws.region,
      AWS_ENDPOINT_URL_SSM: o.aws.endpoint,
      AWS_ENDPOINT_URL_SQS: o.aws.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: o.aws.endpoint,
    });
  }
  for (const [name, value] of Object.entries(o.inputs)) env[inputVar(name)] = value;
  Object.assign(env, o.env ?? {});
  return new Promise((resolve) => {
    execFile(process.execPath, [bundle], { cwd: o.workspace, env }, (err, stdout, stderr) => {
      resolve({
        code: err === null ? 0 : typeof err.code === "number" ? err.code : 1,
        stdout,
        stderr,
        summary: readFileSync(summaryFile, "utf8"),
        outputs: parseOutputs(readFileSync(outputFile, "utf8")),
      });
    });
  });
}
