import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import schema from "../../../migrations/schema.json" with { type: "json" };
import { didYouMean } from "./did-you-mean.js";
import type { MigrationFile } from "./migration.js";

/** `migrations/schema.json`, the one schema both the code and editors use. */
export const migrationSchema: Readonly<Record<string, unknown>> = schema;

// Compiled on first use: commands that never read a migration file skip the cost.
let validateFn: ValidateFunction<MigrationFile> | undefined;
function validator(): ValidateFunction<MigrationFile> {
  validateFn ??= new Ajv2020({ strict: true, allErrors: true, verbose: true }).compile<MigrationFile>(schema);
  return validateFn;
}

/** One schema violation with its location as path segments. */
export interface SchemaViolation {
  /** Path of the offending value (for an unknown key: the map holding it). */
  path: (string | number)[];
  /** Set for an unknown key: the key itself is the location. */
  unknownKey?: string;
  /** Set for a missing key: the parent map is the location. */
  missingKey?: string;
  message: string;
}

function segments(pointer: string): (string | number)[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function describe(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "required":
      return `missing required key '${String(p.missingProperty)}'`;
    case "additionalProperties": {
      const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      return `unknown key '${String(p.additionalProperty)}'${didYouMean(String(p.additionalProperty), known)}`;
    }
    case "enum":
      return `must be one of: ${(p.allowedValues as unknown[]).map(String).join(", ")}`;
    case "type":
      if (e.instancePath === "")
        return "must be a YAML map of migration fields (name, source, destination, ...)";
      return p.type === "integer" ? "must be a whole number" : `must be ${String(p.type)}`;
    case "minLength":
      return p.limit === 1 ? "must not be empty" : (e.message ?? "is too short");
    case "pattern":
    case "anyOf": {
      const title = (e.parentSchema as { title?: string } | undefined)?.title;
      return title ? `must be ${title}` : (e.message ?? "is invalid");
    }
    default:
      return e.message ?? "is invalid";
  }
}

/**
 * Errors under a failed `anyOf` (credentials) explain why each alternative failed, which
 * only confuses. When some error sits inside the value (`credentials.region`), the user
 * clearly chose an alternative: keep those and drop the rest; otherwise keep only the
 * `anyOf` error, whose title lists the alternatives.
 */
function foldedIntoAnyOf(e: ErrorObject, all: readonly ErrorObject[]): boolean {
  for (const a of all) {
    if (a.keyword !== "anyOf") continue;
    const inside = (x: ErrorObject) => x.instancePath.startsWith(`${a.instancePath}/`);
    const under = (x: ErrorObject) => x !== a && (x.instancePath === a.instancePath || inside(x));
    if (e === a) return all.some(inside);
    if (under(e)) return !inside(e);
  }
  return false;
}

/** Validates a parsed YAML (or published JSON) value against the schema, every error at once. */
export function checkSchema(
  value: unknown,
): { ok: true; file: MigrationFile } | { ok: false; violations: SchemaViolation[] } {
  const validate = validator();
  if (validate(value)) return { ok: true, file: value };
  const errors = validate.errors ?? [];
  const kept = errors.filter((e) => !foldedIntoAnyOf(e, errors));
  const violations = kept.map((e): SchemaViolation => {
    const path = segments(e.instancePath);
    const p = e.params as Record<string, unknown>;
    if (e.keyword === "additionalProperties") {
      const key = String(p.additionalProperty);
      return { path, unknownKey: key, message: describe(e) };
    }
    if (e.keyword === "required") {
      return { path, missingKey: String(p.missingProperty), message: describe(e) };
    }
    return { path, message: describe(e) };
  });
  return { ok: false, violations };
}
