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

/**
 * Publish would remove every published migration, or more than `maxRemovedShare` (publish.ts) of
 * them, and was not told to: nothing was written. Usually a folder whose files were renamed
 * or moved (`x.YAML`, `x.json`), not a decision to stop every migration.
 */
export class PublishDeletionsRefusedError extends LongbowError {
  constructor(
    /** Parameters publish would have removed. */
    readonly removed: readonly string[],
    /** Parameters published before. */
    readonly published: number,
    maxShare: number,
  ) {
    const what =
      removed.length === published
        ? `every published migration (${published})`
        : `${removed.length} of ${published} published migrations, more than ${Math.round(maxShare * 100)} %`;
    super(
      "PublishDeletionsRefused",
      `publish would remove ${what}; nothing was written. If that is meant, publish again with --allow-deletions`,
      { context: { removed: removed.length, published } },
    );
    this.name = "PublishDeletionsRefusedError";
  }
}

/** A migration's JSON is larger than SSM accepts in any tier: nothing was written. */
export class ParameterTooLargeError extends LongbowError {
  constructor(
    readonly parameter: string,
    readonly bytes: number,
    limit: number,
  ) {
    super(
      "ParameterTooLarge",
      `${parameter}: the migration's JSON is ${bytes} bytes; SSM parameters hold at most ${limit} bytes (Advanced tier); nothing was written`,
      { context: { parameter, bytes } },
    );
    this.name = "ParameterTooLargeError";
  }
}
