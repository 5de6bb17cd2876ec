import * as core from "@actions/core";
import type { Command, CommandContext } from "./commands/context.js";
import { plan } from "./commands/plan.js";
import { publish } from "./commands/publish.js";
import { report } from "./commands/report.js";
import { send } from "./commands/send.js";
import { validate } from "./commands/validate.js";
import { type CommandName, parseInputs } from "./inputs.js";

const commands: Record<CommandName, Command> = {
  validate,
  plan,
  publish,
  send,
  report,
};

/**
 * The Action's entry point: parses the inputs, runs one command, and turns any error into a
 * failed step with its message (messages never carry credentials).
 */
export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  try {
    const inputs = parseInputs((name) => core.getInput(name), env);
    const ctx: CommandContext = { inputs, env, workspace: env.GITHUB_WORKSPACE || process.cwd() };
    await commands[inputs.command](ctx);
  } catch (err) {
    core.setFailed(err instanceof Error ? err.message : String(err));
  }
}
