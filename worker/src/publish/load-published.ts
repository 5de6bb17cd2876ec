import type { SSMClient } from "@aws-sdk/client-ssm";
import { checkSchema, type Migration, normalizeMigration } from "../config/index.js";
import { PublishedMigrationError } from "./errors.js";
import { defaultMigrationsPath, readParameters, validatePath } from "./ssm-store.js";

/** Options of {@link loadPublishedMigrations}. */
export interface LoadPublishedOptions {
  signal?: AbortSignal;
}

/**
 * The published migration set, as workers and the scheduled compare see it: every
 * parameter under `path`, schema-checked, sorted by name. A parameter that is not a valid
 * migration fails the whole load, since acting on part of a set could be worse than not acting.
 */
export async function loadPublishedMigrations(
  ssm: SSMClient,
  path: string = defaultMigrationsPath,
  options: LoadPublishedOptions = {},
): Promise<Migration[]> {
  const base = validatePath(path);
  const params = await readParameters(ssm, base, options.signal);
  const out: Migration[] = [];
  for (const [name, value] of params) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch (err) {
      throw new PublishedMigrationError(name, "is not JSON", err);
    }
    const result = checkSchema(parsed);
    if (!result.ok) {
      const first = result.violations[0];
      throw new PublishedMigrationError(
        name,
        `is not a valid migration: ${first?.message ?? "schema error"}`,
      );
    }
    const m = normalizeMigration(result.file);
    if (name !== `${base}/${m.name}`) {
      throw new PublishedMigrationError(
        name,
        `holds migration '${m.name}', expected the parameter's own name`,
      );
    }
    out.push(m);
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
