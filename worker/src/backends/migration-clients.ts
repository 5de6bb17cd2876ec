import { destinationEndpoint, type Migration, sourceEndpoint } from "../config/index.js";
import type { Logger } from "../log/index.js";
import type { MigrationClients } from "../runner/index.js";
import { createS3Client, describeEndpoint, type S3ClientOptions, s3ClientSettings } from "../s3/index.js";
import type { Settings } from "../settings/index.js";

/** Options of {@link migrationClients}. */
export interface MigrationClientsOptions {
  /** Where failed request attempts are logged at debug. @defaultValue none */
  logger?: Logger;
  /** Builds the SSM client for `{ ssmParameter }` credentials. @defaultValue the default chain's region */
  ssmClientFactory?: S3ClientOptions["ssmClientFactory"];
}

/**
 * Builds a migration's two S3 clients, each with its own side's credentials and the
 * settings' timeouts and retries, sized to the transfer pool (filesInParallel ×
 * partsInParallel sockets). The one place S3 clients of a migration are made: the CLI, the
 * Action, the Lambda handler and the benchmark all call it.
 */
export function migrationClients(
  settings: Settings,
  options: MigrationClientsOptions = {},
): (m: Migration) => Promise<MigrationClients> {
  const maxSockets = settings.filesInParallel * settings.partsInParallel;
  const base: S3ClientOptions = {
    maxSockets,
    ...s3ClientSettings(settings),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.ssmClientFactory === undefined ? {} : { ssmClientFactory: options.ssmClientFactory }),
  };
  return async (m) => {
    const [source, destination] = await Promise.all([
      createS3Client(sourceEndpoint(m), { ...base, side: "source" }),
      createS3Client(destinationEndpoint(m), { ...base, side: "destination" }),
    ]);
    return {
      source,
      destination,
      sourceLabel: describeEndpoint(sourceEndpoint(m)),
      destinationLabel: describeEndpoint(destinationEndpoint(m)),
    };
  };
}

/**
 * The S3 clients of a command, one pair per migration, built on first use and destroyed
 * together when the command ends: an undestroyed client's sockets and timers can keep the
 * process alive after its answer is printed.
 */
export class ClientSet {
  private readonly built = new Map<string, Promise<MigrationClients>>();

  constructor(private readonly build: (m: Migration) => Promise<MigrationClients>) {}

  /** The clients of `m` (shared by every caller). */
  readonly get = (m: Migration): Promise<MigrationClients> => {
    let c = this.built.get(m.name);
    if (c === undefined) {
      c = this.build(m);
      this.built.set(m.name, c);
      // a failed build is forgotten: the next caller tries again
      c.catch(() => this.built.delete(m.name));
    }
    return c;
  };

  /** Destroys every client built so far. */
  async destroy(): Promise<void> {
    const all = await Promise.allSettled(this.built.values());
    this.built.clear();
    for (const r of all) {
      if (r.status !== "fulfilled") continue;
      r.value.source.destroy();
      r.value.destination.destroy();
    }
  }
}
