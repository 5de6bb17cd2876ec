import type { CredentialsRef } from "../endpoint/index.js";
import { dottedPath } from "./problem.js";
import type { SchemaViolation } from "./schema.js";

/**
 * What the semantic checks may read of a file that is not (yet) schema-valid: every field
 * that is well-typed and has no schema violation at or below it, with the schema's default
 * when it is absent, and `undefined` when it is present but broken. So a file with a bad
 * `compare:` still learns that its destination is inside its source, in the same round.
 */
export interface SideDraft {
  bucket: string | undefined;
  prefix: string | undefined;
  region: string | undefined;
  /** `null` when the side has no custom endpoint. */
  endpoint: string | null | undefined;
  credentials: CredentialsRef | undefined;
}

/** The readable part of one migration file; see {@link SideDraft}. */
export interface MigrationDraft {
  name: string | undefined;
  enabled: boolean | undefined;
  /** `undefined` when the side is missing or not a map. */
  source: SideDraft | undefined;
  destination: SideDraft | undefined;
  /** Each pattern, or `undefined` for an item that is not a valid one; `undefined` when the list is broken. */
  ignore: (string | undefined)[] | undefined;
  include: (string | undefined)[] | undefined;
  /** `destination.encryption` when it is a map (its fields as for a side; `null`: absent); else `undefined`. */
  encryption: EncryptionDraft | undefined;
}

/** The readable part of `destination.encryption`; see {@link SideDraft}. */
export interface EncryptionDraft {
  type: string | undefined;
  keyId: string | null | undefined;
  bucketKey: boolean | null | undefined;
}

type Path = (string | number)[];

const isMap = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** Builds the draft of `value`, given every schema violation found in it. */
export function draftOf(value: unknown, violations: readonly SchemaViolation[]): MigrationDraft {
  const broken = violations.map((v) => {
    const key = v.unknownKey ?? v.missingKey;
    return dottedPath(key === undefined ? v.path : [...v.path, key]);
  });
  const clean = (path: Path) => {
    const p = dottedPath(path);
    return !broken.some((b) => b === p || b.startsWith(`${p}.`) || b.startsWith(`${p}[`));
  };
  const root = isMap(value) ? value : {};
  const field = <T>(path: Path, holder: Record<string, unknown>, ok: (v: unknown) => v is T, absent: T) => {
    const key = path[path.length - 1] as string;
    if (!Object.hasOwn(holder, key)) return absent;
    const v = holder[key];
    return ok(v) && clean(path) ? v : undefined;
  };
  const str = (v: unknown): v is string => typeof v === "string";
  const bool = (v: unknown): v is boolean => typeof v === "boolean";
  const credentials = (v: unknown): v is CredentialsRef => v === "default" || isMap(v);
  const side = (name: "source" | "destination"): SideDraft | undefined => {
    const s = root[name];
    if (!isMap(s)) return undefined;
    return {
      bucket: field([name, "bucket"], s, str, undefined),
      prefix: field([name, "prefix"], s, str, ""),
      region: field([name, "region"], s, str, undefined),
      endpoint: field<string | null>([name, "endpoint"], s, str, null),
      credentials: field([name, "credentials"], s, credentials, "default"),
    };
  };
  const list = (name: "ignore" | "include") => {
    if (!Object.hasOwn(root, name)) return [];
    const l = root[name];
    if (!Array.isArray(l)) return undefined;
    return l.map((item, i) => (str(item) && clean([name, i]) ? item : undefined));
  };
  const encryption = (): EncryptionDraft | undefined => {
    const d = root.destination;
    const e = isMap(d) ? d.encryption : undefined;
    if (!isMap(e)) return undefined;
    const at = (k: string) => ["destination", "encryption", k];
    return {
      type: field(at("type"), e, str, undefined),
      keyId: field<string | null>(at("keyId"), e, str, null),
      bucketKey: field<boolean | null>(at("bucketKey"), e, bool, null),
    };
  };
  return {
    name: field(["name"], root, str, undefined),
    enabled: field(["enabled"], root, bool, true),
    source: side("source"),
    destination: side("destination"),
    ignore: list("ignore"),
    include: list("include"),
    encryption: encryption(),
  };
}
