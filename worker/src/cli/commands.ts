import type { Command } from "commander";
import { registerCp } from "./commands/cp.js";
import { registerMigrate } from "./commands/migrate.js";
import { registerPlan } from "./commands/plan.js";
import { registerPublish } from "./commands/publish.js";
import { registerReport } from "./commands/report.js";
import { registerSend } from "./commands/send.js";
import { registerValidate } from "./commands/validate.js";
import { registerVersion } from "./commands/version.js";
import { registerWork } from "./commands/work.js";

/** Registers one command on the program. */
export type RegisterCommand = (program: Command) => void;

/** Every `longbow` command, in the order `--help` lists them. */
export const commands: RegisterCommand[] = [
  registerValidate,
  registerPlan,
  registerPublish,
  registerCp,
  registerSend,
  registerWork,
  registerMigrate,
  registerReport,
  registerVersion,
];
