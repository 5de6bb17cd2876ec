import { basename, extname } from "node:path";
import { partitionOf } from "../s3/endpoint.js";
import { bucketNameProblem } from "./bucket-name.js";
import type { Migration, MigrationSide } from "./migration.js";
import { patternProblem } from "./pattern.js";
import type { Problem } from "./problem.js";
import { dottedPath } from "./problem.js";
import type { YamlSource } from "./yaml-source.js";

/** A schema-valid migration with where it came from: the input of the semantic checks. */
export interface CheckedFile {
  file: string;
  migration: Migration;
  source: YamlSource;
}

function problemAt(f: CheckedFile, path: (string | number)[], message: string): Problem {
  const { line, col } = f.source.positionOf(path);
  return { file: f.file, line, col, path: dottedPath(path), message, severity: "error" };
}

const s3Url = (s: MigrationSide) => `s3://${s.bucket}/${s.prefix}`;

/** Same bucket on the same store: the only case where two prefixes can collide. */
function sameBucket(a: MigrationSide, b: MigrationSide): boolean {
  return a.bucket === b.bucket && a.region === b.region && (a.endpoint ?? "") === (b.endpoint ?? "");
}

const overlaps = (p: string, q: string) => p.startsWith(q) || q.startsWith(p);

function endpointPartition(endpoint: string): "aws" | "aws-cn" | undefined {
  let host: string;
  try {
    host = new URL(endpoint).hostname;
  } catch {
    return undefined;
  }
  if (host.endsWith(".amazonaws.com.cn")) return "aws-cn";
  if (host.endsWith(".amazonaws.com")) return "aws";
  return undefined;
}

/** Checks of one migration that the schema cannot express. */
export function checkMigration(f: CheckedFile): Problem[] {
  const m = f.migration;
  const out: Problem[] = [];
  const stem = basename(f.file, extname(f.file));
  if (stem !== m.name) {
    out.push(problemAt(f, ["name"], `name '${m.name}' does not match the file name '${basename(f.file)}'`));
  }
  for (const sideName of ["source", "destination"] as const) {
    const side = m[sideName];
    const bad = bucketNameProblem(side.bucket);
    if (bad) out.push(problemAt(f, [sideName, "bucket"], bad));
    if (side.endpoint !== undefined) {
      const ep = endpointPartition(side.endpoint);
      if (ep !== undefined && ep !== partitionOf(side.region)) {
        out.push(
          problemAt(
            f,
            [sideName, "endpoint"],
            `endpoint is in partition ${ep} but region '${side.region}' is in partition ${partitionOf(side.region)}`,
          ),
        );
      }
    }
  }
  const { source: src, destination: dst } = m;
  if (
    src.endpoint === undefined &&
    dst.endpoint === undefined &&
    partitionOf(src.region) !== partitionOf(dst.region) &&
    src.credentials === "default" &&
    dst.credentials === "default"
  ) {
    out.push(
      problemAt(
        f,
        ["destination", "credentials"],
        `source (${partitionOf(src.region)}) and destination (${partitionOf(dst.region)}) are in different partitions, so one identity cannot reach both: give one side a profile or ssmParameter`,
      ),
    );
  }
  if (sameBucket(src, dst) && overlaps(src.prefix, dst.prefix)) {
    const msg = dst.prefix.startsWith(src.prefix)
      ? `destination ${s3Url(dst)} is inside its own source ${s3Url(src)}: copies would be copied again`
      : `source ${s3Url(src)} is inside its own destination ${s3Url(dst)}: copies would overwrite sources`;
    out.push(problemAt(f, ["destination", "prefix"], msg));
  }
  for (const list of ["ignore", "include"] as const) {
    m[list].forEach((pattern, i) => {
      const bad = patternProblem(pattern, src.bucket);
      if (bad) out.push(problemAt(f, [list, i], `invalid pattern '${pattern}': ${bad}`));
    });
  }
  return out;
}

/** Checks across files: duplicate names and enabled migrations writing overlapping prefixes. */
export function checkMigrationSet(files: readonly CheckedFile[]): Problem[] {
  const out: Problem[] = [];
  const byName = new Map<string, CheckedFile>();
  for (const f of files) {
    const first = byName.get(f.migration.name);
    if (first) {
      out.push(problemAt(f, ["name"], `duplicate name '${f.migration.name}': also in ${first.file}`));
    } else {
      byName.set(f.migration.name, f);
    }
  }
  const enabled = files.filter((f) => f.migration.enabled);
  for (let i = 0; i < enabled.length; i++) {
    const a = enabled[i] as CheckedFile;
    for (let j = 0; j < i; j++) {
      const b = enabled[j] as CheckedFile;
      const da = a.migration.destination;
      const db = b.migration.destination;
      if (sameBucket(da, db) && overlaps(da.prefix, db.prefix)) {
        out.push(
          problemAt(
            a,
            ["destination", "prefix"],
            `destination ${s3Url(da)} overlaps the destination ${s3Url(db)} of '${b.migration.name}' (${b.file})`,
          ),
        );
      }
    }
  }
  return out;
}
