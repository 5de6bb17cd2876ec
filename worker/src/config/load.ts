import {
  type CheckedFile,
  checkMigration,
  checkMigrationSet,
  checkPublishedSize,
  type FileDraft,
} from "./checks.js";
import { draftOf } from "./draft.js";
import { decodeMigrationText } from "./file-text.js";
import { readMigrationFolder } from "./folder.js";
import { formatBytes, inputLimits } from "./input-limits.js";
import { type LoadedMigration, normalizeMigration } from "./migration.js";
import { dottedPath, fileProblem, type Problem, sortProblems, visibleProblem } from "./problem.js";
import { checkSchema, type SchemaViolation } from "./schema.js";
import { parseYamlSource, type YamlSource } from "./yaml-source.js";

/** Result of reading one migration file: the model when it is schema-valid, and every problem. */
export interface ParsedMigrationFile {
  file: string;
  /** Set when syntax and schema are valid (semantic problems may still exist). */
  checked?: CheckedFile;
  /** Set when the YAML parsed: the fields the semantic checks could read (see `draftOf`). */
  draft?: FileDraft;
  problems: Problem[];
}

// messages quote values from the file: no control character reaches a terminal or annotation
const finish = (problems: Problem[]) => sortProblems(problems.map(visibleProblem));

function schemaProblem(file: string, source: YamlSource, v: SchemaViolation): Problem {
  if (v.unknownKey !== undefined) {
    const pos = source.keyPositionOf(v.path, v.unknownKey);
    return { file, ...pos, path: dottedPath([...v.path, v.unknownKey]), message: v.message };
  }
  if (v.missingKey !== undefined) {
    // the map lacking the key is named by its own key (`source:`), which reads best in an annotation
    const last = v.path[v.path.length - 1];
    const pos =
      last === undefined ? source.positionOf([]) : source.keyPositionOf(v.path.slice(0, -1), String(last));
    return { file, ...pos, path: dottedPath([...v.path, v.missingKey]), message: v.message };
  }
  return { file, ...source.positionOf(v.path), path: dottedPath(v.path), message: v.message };
}

/**
 * Parses and validates one file's text: YAML syntax, then the schema and the single-file
 * semantic checks together (semantic checks read every field the schema did not reject).
 * Never throws for anything in the text.
 */
export function parseMigrationFile(text: string, file: string): ParsedMigrationFile {
  const size = Buffer.byteLength(text, "utf8");
  if (size > inputLimits.maxFileBytes) {
    const max = formatBytes(inputLimits.maxFileBytes);
    return {
      file,
      problems: [fileProblem(file, `file is ${formatBytes(size)}; a migration file may be at most ${max}`)],
    };
  }
  const source = parseYamlSource(text);
  const warnings = source.warnings.map(
    (w): Problem => ({ file, ...w, path: "", message: `YAML: ${w.message}`, severity: "warning" }),
  );
  if (source.syntaxErrors.length > 0) {
    const errors = source.syntaxErrors.map(
      (e): Problem => ({ file, ...e, path: "", message: `YAML: ${e.message}` }),
    );
    return { file, problems: finish([...errors, ...warnings]) };
  }
  const result = checkSchema(source.value);
  const violations = result.ok ? [] : result.violations;
  const draft: FileDraft = { file, draft: draftOf(source.value, violations), source };
  const problems = [
    ...warnings,
    ...violations.map((v) => schemaProblem(file, source, v)),
    ...checkMigration(draft),
  ];
  if (!result.ok) return { file, draft, problems: finish(problems) };
  const checked: CheckedFile = { file, migration: normalizeMigration(result.file), source };
  problems.push(...checkPublishedSize(checked));
  return { file, checked, draft, problems: finish(problems) };
}

/** {@link parseMigrationFile} for a file's raw bytes: size and UTF-8 are checked first. */
export function parseMigrationBytes(bytes: Uint8Array, file: string): ParsedMigrationFile {
  const decoded = decodeMigrationText(bytes, file);
  if ("problem" in decoded) return { file, problems: [decoded.problem] };
  return parseMigrationFile(decoded.text, file);
}

// Parsing is meant never to throw; should a library still do so on some input, that file
// gets the error and the others are checked all the same
function parseGuarded(bytes: Uint8Array, file: string): ParsedMigrationFile {
  try {
    return parseMigrationBytes(bytes, file);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return { file, problems: [fileProblem(file, `could not be checked: ${why}`)] };
  }
}

/**
 * Reads every `*.yaml`/`*.yml` file directly in `dir` and validates each and the set.
 * `migrations` holds only files without errors (disabled ones included: callers filter on
 * `enabled`); `problems` holds every error and warning, sorted by file and position. A file
 * that cannot be read or parsed is one more problem; it never stops the others being checked.
 */
export async function loadMigrations(
  dir: string,
): Promise<{ migrations: LoadedMigration[]; problems: Problem[] }> {
  const entries = await readMigrationFolder(dir);
  const problems: Problem[] = [];
  const parsed: ParsedMigrationFile[] = [];
  for (const e of entries) {
    if ("problem" in e) problems.push(e.problem);
    else parsed.push(parseGuarded(e.bytes, e.file));
  }
  problems.push(...parsed.flatMap((p) => p.problems));
  problems.push(...checkMigrationSet(parsed.flatMap((p) => (p.draft ? [p.draft] : []))));
  const failed = new Set(problems.filter((p) => (p.severity ?? "error") === "error").map((p) => p.file));
  const migrations = parsed
    .flatMap((p) => (p.checked && !failed.has(p.file) ? [p.checked] : []))
    .map((c) => ({ migration: c.migration, file: c.file }));
  return { migrations, problems: finish(problems) };
}
