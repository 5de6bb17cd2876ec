import { readFile } from "node:fs/promises";
import { type LoadedMigration, type Problem, parseMigrationFile } from "../../worker/src/config/index.js";

/** True when `bucket` is named on the allowlist, exactly or by a `prefix*` entry. */
export function isAllowed(bucket: string, allowlist: readonly string[]): boolean {
  return allowlist.some((entry) =>
    entry.endsWith("*") ? bucket.startsWith(entry.slice(0, -1)) : bucket === entry,
  );
}

/**
 * One error per side of a migration whose bucket is not on the allowlist, located at the
 * `bucket:` field. The allowlist is the Action's input, kept outside the pull request, so a
 * pull request cannot widen what the plan role may read.
 */
export async function allowlistProblems(
  loaded: readonly LoadedMigration[],
  allowlist: readonly string[],
): Promise<Problem[]> {
  const problems: Problem[] = [];
  for (const { migration, file } of loaded) {
    for (const side of ["source", "destination"] as const) {
      const bucket = migration[side].bucket;
      if (isAllowed(bucket, allowlist)) continue;
      const parsed = parseMigrationFile(await readFile(file, "utf8"), file);
      const at = parsed.checked?.source.positionOf([side, "bucket"]) ?? { line: 1, col: 1 };
      problems.push({
        file,
        ...at,
        path: `${side}.bucket`,
        message: `bucket '${bucket}' is not on the bucket allowlist (the repository's LONGBOW_BUCKET_ALLOWLIST variable); ask a maintainer to add it`,
        severity: "error",
      });
    }
  }
  return problems;
}
