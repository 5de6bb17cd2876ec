import type { Command } from "commander";

/** Registers one command on the program. */
export type RegisterCommand = (program: Command) => void;

/** Every `longbow` command, in the order `--help` lists them. */
export const commands: RegisterCommand[] = [];
