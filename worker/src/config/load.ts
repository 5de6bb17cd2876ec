import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { LongbowError } from "../errors.js";
import { type CheckedFile, checkMigration, checkMigrationSet } from "./checks.js";
import { type LoadedMigration, normalizeMigration } from "./migration.js";
import { dottedPath, type Problem, sortProblems } from "./problem.js";
import { checkSchema } from "./schema.js";
import { parseYamlSource } from "./yaml-source.js";

/** Result of reading one migration file: the model when it is schema-valid, and every problem. */
export interface ParsedMigrationFile {
  file: string;
  /** Set when syntax and schema are valid (semantic problems may still exist). */
  checked?: CheckedFile;
  problems: Problem[];
}

/** Parses and validates one file's text: YAML syntax, schema, then the single-file checks. */
export function parseMigrationFile(text: string, file: string): ParsedMigrationFile {
  const source = parseYamlSource(text);
  if (source.syntaxErrors.length > 0) {
    return {
      file,
      problems: source.syntaxErrors.map((e) => ({ file, ...e, path: "", message: `YAML: ${e.message}` })),
    };
  }
  const result = checkSchema(source.value);
  if (!result.ok) {
    const problems = result.violations.map((v): Problem => {
      if (v.unknownKey !== undefined) {
        const pos = source.keyPositionOf(v.path, v.unknownKey);
        return { file, ...pos, path: dottedPath([...v.path, v.unknownKey]), message: v.message };
      }
      if (v.missingKey !== undefined) {
        // the map lacking the key is named by its own key (`source:`), which reads best in an annotation
        const last = v.path[v.path.length - 1];
        const pos =
          last === undefined
            ? source.positionOf([])
            : source.keyPositionOf(v.path.slice(0, -1), String(last));
        return { file, ...pos, path: dottedPath([...v.path, v.missingKey]), message: v.message };
      }
      return { file, ...source.positionOf(v.path), path: dottedPath(v.path), message: v.message };
    });
    return { file, problems: sortProblems(problems) };
  }
  const checked: CheckedFile = { file, migration: normalizeMigration(result.file), source };
  return { file, checked, problems: checkMigration(checked) };
}

async function readMigrationsDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    throw new LongbowError("MigrationsDirUnreadable", `cannot read the migrations folder '${dir}'`, {
      cause: err,
      context: { file: dir },
    });
  }
}

/** True for the files the loader reads: `*.yaml` and `*.yml`. */
export const isMigrationFileName = (name: string) => /\.ya?ml$/.test(name);

/**
 * Reads every `*.yaml`/`*.yml` file directly in `dir` and validates each and the set.
 * `migrations` holds only files without errors (disabled ones included: callers filter on
 * `enabled`); `problems` holds every error and warning, sorted by file and position.
 */
export async function loadMigrations(
  dir: string,
): Promise<{ migrations: LoadedMigration[]; problems: Problem[] }> {
  const names = (await readMigrationsDir(dir)).filter(isMigrationFileName).sort();
  const parsed = await Promise.all(
    names.map(async (n) => parseMigrationFile(await readFile(join(dir, n), "utf8"), join(dir, n))),
  );
  const problems = parsed.flatMap((p) => p.problems);
  const checked = parsed.flatMap((p) => (p.checked ? [p.checked] : []));
  problems.push(...checkMigrationSet(checked));
  const failed = new Set(problems.filter((p) => (p.severity ?? "error") === "error").map((p) => p.file));
  const migrations = checked
    .filter((c) => !failed.has(c.file))
    .map((c) => ({ migration: c.migration, file: c.file }));
  return { migrations, problems: sortProblems(problems) };
}
