import { DeleteParametersCommand, PutParameterCommand, type SSMClient } from "@aws-sdk/client-ssm";
import type { Migration } from "../config/index.js";
import { throwIfAborted } from "../errors.js";
import { canonicalJson } from "./canonical-json.js";
import { defaultMigrationsPath, readParameters, validatePath } from "./ssm-store.js";

/** Options of {@link publishMigrations}. */
export interface PublishOptions {
  /** SSM path holding one parameter per migration. @defaultValue "/longbow/migrations" */
  path?: string;
  /** Compute the changes without writing anything. @defaultValue false */
  dryRun?: boolean;
  signal?: AbortSignal;
}

/** What publish did (or would do) to one parameter. */
export interface PublishChange {
  kind: "added" | "changed" | "removed" | "unchanged";
  /** Migration name (the last path segment). */
  name: string;
  /** Full parameter name. */
  parameter: string;
}

const symbols = { added: "+", changed: "~", removed: "-", unchanged: "=" } as const;

/** `+ /longbow/migrations/name`, one line per change, as `longbow publish` prints. */
export function formatChange(c: PublishChange): string {
  return `${symbols[c.kind]} ${c.parameter}`;
}

// SSM standard parameters hold 4 KB; larger values need the advanced tier
const standardLimit = 4096;

/**
 * Makes the parameters under `path` equal to the enabled migrations: one String parameter
 * per migration holding its JSON. Unchanged parameters are not rewritten (no new version,
 * no change event); parameters of deleted or disabled migrations are removed.
 */
export async function publishMigrations(
  migrations: readonly Migration[],
  ssm: SSMClient,
  options: PublishOptions = {},
): Promise<PublishChange[]> {
  const path = validatePath(options.path ?? defaultMigrationsPath);
  const dryRun = options.dryRun ?? false;
  const signal = options.signal;
  const existing = await readParameters(ssm, path, signal);
  const changes: PublishChange[] = [];
  const wanted = new Set<string>();
  for (const m of [...migrations].filter((x) => x.enabled).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const parameter = `${path}/${m.name}`;
    wanted.add(parameter);
    const value = canonicalJson(m);
    const current = existing.get(parameter);
    let kind: PublishChange["kind"] = "unchanged";
    if (current === undefined) kind = "added";
    else if (!sameJson(current, value)) kind = "changed";
    changes.push({ kind, name: m.name, parameter });
    if (kind === "unchanged" || dryRun) continue;
    throwIfAborted(signal);
    await ssm.send(
      new PutParameterCommand({
        Name: parameter,
        Value: value,
        Type: "String",
        Overwrite: kind === "changed",
        Tier: value.length > standardLimit ? "Advanced" : "Standard",
        Description: "Longbow migration (written by longbow publish)",
      }),
      { abortSignal: signal },
    );
  }
  const removed = [...existing.keys()].filter((p) => !wanted.has(p)).sort();
  for (const parameter of removed) {
    changes.push({ kind: "removed", name: parameter.slice(path.length + 1), parameter });
  }
  // DeleteParameters takes at most 10 names per call
  for (let i = 0; !dryRun && i < removed.length; i += 10) {
    throwIfAborted(signal);
    await ssm.send(new DeleteParametersCommand({ Names: removed.slice(i, i + 10) }), { abortSignal: signal });
  }
  return changes;
}

function sameJson(current: string, value: string): boolean {
  try {
    return canonicalJson(JSON.parse(current)) === value;
  } catch {
    return false;
  }
}
