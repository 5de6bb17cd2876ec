import { DeleteParametersCommand, PutParameterCommand, type SSMClient } from "@aws-sdk/client-ssm";
import { inputLimits, type Migration } from "../config/index.js";
import { throwIfAborted } from "../errors.js";
import { canonicalJson } from "./canonical-json.js";
import { ParameterTooLargeError, PublishDeletionsRefusedError } from "./errors.js";
import { defaultMigrationsPath, readParameters, validatePath } from "./ssm-store.js";

/**
 * The largest share of the published migrations one publish may remove without
 * `allowDeletions`: more than half (or all of them) is refused. The README states it too.
 */
export const maxRemovedShare = 0.5;

/** Options of {@link publishMigrations}. */
export interface PublishOptions {
  /** SSM path holding one parameter per migration. @defaultValue "/longbow/migrations" */
  path?: string;
  /** Compute the changes without writing anything. @defaultValue false */
  dryRun?: boolean;
  /**
   * Allow removing every published migration, or more than {@link maxRemovedShare} of them,
   * in one publish (`longbow publish --allow-deletions`). @defaultValue false
   */
  allowDeletions?: boolean;
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

const bytesOf = (s: string) => Buffer.byteLength(s, "utf8");

/** One parameter to write, decided before anything is written. */
interface Put {
  parameter: string;
  value: string;
  kind: "added" | "changed";
  tier: "Standard" | "Advanced";
}

/**
 * Makes the parameters under `path` equal to the enabled migrations: one String parameter
 * per migration holding its JSON. Unchanged parameters are not rewritten (no new version,
 * no change event); parameters of deleted or disabled migrations are removed. Every check
 * runs before the first write, so a refused publish writes nothing: a value over SSM's limit
 * ({@link ParameterTooLargeError}), or removing more than {@link maxRemovedShare} of the
 * published set without `allowDeletions` ({@link PublishDeletionsRefusedError}, also on a dry run).
 */
export async function publishMigrations(
  migrations: readonly Migration[],
  ssm: SSMClient,
  options: PublishOptions = {},
): Promise<PublishChange[]> {
  const path = validatePath(options.path ?? defaultMigrationsPath);
  const dryRun = options.dryRun ?? false;
  const allowDeletions = options.allowDeletions ?? false;
  const signal = options.signal;
  const existing = await readParameters(ssm, path, signal);
  const changes: PublishChange[] = [];
  const puts: Put[] = [];
  const wanted = new Set<string>();
  for (const m of [...migrations].filter((x) => x.enabled).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const parameter = `${path}/${m.name}`;
    wanted.add(parameter);
    const value = canonicalJson(m);
    if (bytesOf(value) > inputLimits.ssmAdvancedBytes) {
      throw new ParameterTooLargeError(parameter, bytesOf(value), inputLimits.ssmAdvancedBytes);
    }
    const current = existing.get(parameter);
    let kind: PublishChange["kind"] = "unchanged";
    if (current === undefined) kind = "added";
    else if (!sameJson(current, value)) kind = "changed";
    changes.push({ kind, name: m.name, parameter });
    if (kind === "unchanged") continue;
    // SSM cannot move a parameter back from Advanced to Standard: one that holds more than
    // the Standard limit now is Advanced, and stays so even when its new value would fit
    const advanced = [value, current ?? ""].some((v) => bytesOf(v) > inputLimits.ssmStandardBytes);
    puts.push({ parameter, value, kind, tier: advanced ? "Advanced" : "Standard" });
  }
  const removed = [...existing.keys()].filter((p) => !wanted.has(p)).sort();
  const share = existing.size === 0 ? 0 : removed.length / existing.size;
  if (
    removed.length > 0 &&
    !allowDeletions &&
    (removed.length === existing.size || share > maxRemovedShare)
  ) {
    throw new PublishDeletionsRefusedError(removed, existing.size, maxRemovedShare);
  }
  for (const parameter of removed) {
    changes.push({ kind: "removed", name: parameter.slice(path.length + 1), parameter });
  }
  if (dryRun) return changes;
  for (const p of puts) {
    throwIfAborted(signal);
    await ssm.send(
      new PutParameterCommand({
        Name: p.parameter,
        Value: p.value,
        Type: "String",
        Overwrite: p.kind === "changed",
        Tier: p.tier,
        Description: "Longbow migration (written by longbow publish)",
      }),
      { abortSignal: signal },
    );
  }
  // DeleteParameters takes at most 10 names per call
  for (let i = 0; i < removed.length; i += 10) {
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
