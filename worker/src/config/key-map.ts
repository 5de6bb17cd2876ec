import type { EndpointSpec } from "../endpoint/index.js";
import { LongbowError } from "../errors.js";
import type { Job } from "../job/index.js";
import type { Migration, MigrationSide } from "./migration.js";

/** A source key outside the migration's source prefix was given to the key mapping. */
export class KeyOutsidePrefixError extends LongbowError {
  constructor(migration: string, key: string, prefix: string) {
    super("KeyOutsidePrefix", `key '${key}' is not under the source prefix '${prefix}'`, {
      context: { migration, key },
    });
    this.name = "KeyOutsidePrefixError";
  }
}

/** Destination key = destination prefix + (source key minus the source prefix). Plain concatenation. */
export function destinationKey(m: Migration, sourceKey: string): string {
  if (!sourceKey.startsWith(m.source.prefix)) {
    throw new KeyOutsidePrefixError(m.name, sourceKey, m.source.prefix);
  }
  return m.destination.prefix + sourceKey.slice(m.source.prefix.length);
}

/** Where a job of this migration writes the object at `sourceKey`, and how. */
export function jobDestination(m: Migration, sourceKey: string): Job["destination"] {
  return {
    bucket: m.destination.bucket,
    key: destinationKey(m, sourceKey),
    storageClass: m.destination.storageClass,
    tags: m.destination.tags,
    ...(m.destination.encryption === undefined ? {} : { encryption: m.destination.encryption }),
  };
}

/** The inverse of {@link destinationKey}, or undefined for a key outside the destination prefix. */
export function sourceKeyOf(m: Migration, destKey: string): string | undefined {
  if (!destKey.startsWith(m.destination.prefix)) return undefined;
  return m.source.prefix + destKey.slice(m.destination.prefix.length);
}

function endpointOf(s: MigrationSide): EndpointSpec {
  const spec: EndpointSpec = { region: s.region, credentials: s.credentials };
  if (s.endpoint !== undefined) {
    spec.endpoint = s.endpoint;
    spec.forcePathStyle = true;
  }
  return spec;
}

/** How to reach the source side (input of the S3 client factory). */
export function sourceEndpoint(m: Migration): EndpointSpec {
  return endpointOf(m.source);
}

/** How to reach the destination side (input of the S3 client factory). */
export function destinationEndpoint(m: Migration): EndpointSpec {
  return endpointOf(m.destination);
}
