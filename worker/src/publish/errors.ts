import { LongbowError } from "../errors.js";

/** Bad options given to publish or to loading the published set. */
export class PublishOptionsError extends LongbowError {
  constructor(message: string) {
    super("InvalidPublishOptions", message);
    this.name = "PublishOptionsError";
  }
}

/** A parameter under the migrations path does not hold a valid migration. */
export class PublishedMigrationError extends LongbowError {
  constructor(parameter: string, message: string, cause?: unknown) {
    super("InvalidPublishedMigration", `${parameter}: ${message}`, { cause, context: { parameter } });
    this.name = "PublishedMigrationError";
  }
}
