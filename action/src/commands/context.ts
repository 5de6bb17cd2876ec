import { isAbsolute, relative, resolve } from "node:path";
import type { ActionInputs } from "../inputs.js";

/** What every command receives: its parsed inputs and the runner's environment. */
export interface CommandContext {
  inputs: ActionInputs;
  env: NodeJS.ProcessEnv;
  /** The checkout, `GITHUB_WORKSPACE` (the working directory by default). */
  workspace: string;
}

/** One command of the Action. */
export type Command = (ctx: CommandContext) => Promise<void>;

/** The migrations folder as an absolute path. */
export function migrationsDir(ctx: CommandContext): string {
  return resolve(ctx.workspace, ctx.inputs.migrationsPath);
}

/** A path as GitHub names files in annotations and pull requests: relative to the checkout, with `/`. */
export function repoPath(ctx: CommandContext, file: string): string {
  const abs = isAbsolute(file) ? file : resolve(ctx.workspace, file);
  return relative(ctx.workspace, abs).split("\\").join("/");
}

/** Link to this workflow run, whose job summary holds what a comment had to leave out. */
export function runUrl(env: NodeJS.ProcessEnv): string {
  const server = env.GITHUB_SERVER_URL ?? "https://github.com";
  return `${server}/${env.GITHUB_REPOSITORY ?? ""}/actions/runs/${env.GITHUB_RUN_ID ?? ""}`;
}
