import { LongbowError } from "../../worker/src/errors.js";

/** An Action input is missing, malformed, or contradicts another; the message names the input. */
export class ActionInputError extends LongbowError {
  constructor(message: string) {
    super("InvalidActionInput", message);
    this.name = "ActionInputError";
  }
}

/** The GitHub REST API answered with something the Action cannot work with. */
export class GitHubApiError extends LongbowError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super("GitHubApi", message, options);
    this.name = "GitHubApiError";
  }
}

/** The migration files have errors, so a command that acts on them refuses to. */
export class InvalidMigrationsError extends LongbowError {
  constructor(errors: number, command: string) {
    super(
      "InvalidMigrations",
      `migration files have ${errors} error(s); run validate; ${command} did nothing`,
    );
    this.name = "InvalidMigrationsError";
  }
}
