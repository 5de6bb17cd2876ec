import { basename, extname } from "node:path";
import { checkBandwidth } from "./bandwidth-checks.js";
import type { MigrationDraft, SideDraft } from "./draft.js";
import { checkEncryption } from "./encryption.js";
import { storeOf } from "./endpoint-url.js";
import { formatBytes, inputLimits } from "./input-limits.js";
import type { Migration } from "./migration.js";
import { patternProblem } from "./pattern.js";
import { type Problem, problemAt } from "./problem.js";
import { checkSide } from "./side-checks.js";
import type { YamlSource } from "./yaml-source.js";

/** A parsed file's readable fields with where they came from: the input of the semantic checks. */
export interface FileDraft {
  file: string;
  draft: MigrationDraft;
  source: YamlSource;
}

/** A schema-valid migration with where it came from. */
export interface CheckedFile {
  file: string;
  migration: Migration;
  source: YamlSource;
}

/** A side whose location fields are all readable. */
type Located = SideDraft & { bucket: string; prefix: string; region: string; endpoint: string | null };

const located = (s: SideDraft | undefined): s is Located =>
  s !== undefined &&
  s.bucket !== undefined &&
  s.prefix !== undefined &&
  s.region !== undefined &&
  s.endpoint !== undefined;

const s3Url = (s: Located) => `s3://${s.bucket}/${s.prefix}`;

/**
 * Same bucket on the same store: the only case where two prefixes can collide. Stores are
 * compared normalized ({@link storeOf}), so a trailing `/`, AWS's endpoint named explicitly
 * or another region of the same partition does not make one bucket look like two.
 */
function sameBucket(a: Located, b: Located): boolean {
  const store = (s: Located) => storeOf({ region: s.region, endpoint: s.endpoint ?? undefined });
  return a.bucket === b.bucket && store(a) === store(b);
}

const overlaps = (p: string, q: string) => p.startsWith(q) || q.startsWith(p);

/**
 * Checks of one migration that the schema cannot express. Each runs on whatever fields of
 * the draft it needs are readable, so they run beside the schema's own errors.
 */
export function checkMigration(f: FileDraft): Problem[] {
  const m = f.draft;
  const out: Problem[] = [];
  const stem = basename(f.file, extname(f.file));
  if (m.name !== undefined && stem !== m.name) {
    out.push(problemAt(f, ["name"], `name '${m.name}' does not match the file name '${basename(f.file)}'`));
  }
  if (m.source) out.push(...checkSide(f, "source", m.source));
  if (m.destination) out.push(...checkSide(f, "destination", m.destination));
  out.push(...checkEncryption(f, m.encryption, m.destination?.region));
  const { source: src, destination: dst } = m;
  // One identity cannot reach two partitions: judged by AWS's own endpoint when one is
  // named (https://s3.cn-northwest-1.amazonaws.com.cn is aws-cn whatever the region says),
  // else by the region. A custom, non-AWS endpoint belongs to no partition: not judged.
  const partitionOfSide = (side: SideDraft | undefined) => {
    if (side?.region === undefined || side.endpoint === undefined) return undefined;
    const store = storeOf({
      region: side.region,
      ...(side.endpoint === null ? {} : { endpoint: side.endpoint }),
    });
    return store.startsWith("aws:") ? store.slice("aws:".length) : undefined;
  };
  const [srcPartition, dstPartition] = [partitionOfSide(src), partitionOfSide(dst)];
  if (
    srcPartition !== undefined &&
    dstPartition !== undefined &&
    srcPartition !== dstPartition &&
    src?.credentials === "default" &&
    dst?.credentials === "default"
  ) {
    out.push(
      problemAt(
        f,
        ["destination", "credentials"],
        `source (${srcPartition}) and destination (${dstPartition}) are in different partitions, so one identity cannot reach both: give one side a profile or ssmParameter`,
      ),
    );
  }
  if (located(src) && located(dst) && sameBucket(src, dst) && overlaps(src.prefix, dst.prefix)) {
    const msg = dst.prefix.startsWith(src.prefix)
      ? `destination ${s3Url(dst)} is inside its own source ${s3Url(src)}: copies would be copied again`
      : `source ${s3Url(src)} is inside its own destination ${s3Url(dst)}: copies would overwrite sources`;
    out.push(problemAt(f, ["destination", "prefix"], msg));
  }
  out.push(...checkBandwidth(f));
  for (const list of ["ignore", "include"] as const) {
    m[list]?.forEach((pattern, i) => {
      if (pattern === undefined) return;
      const bad = patternProblem(pattern, src?.bucket);
      if (bad) out.push(problemAt(f, [list, i], `invalid pattern '${pattern}': ${bad}`));
    });
  }
  return out;
}

/**
 * The parameter `publish` would write for a valid migration must fit SSM: an error above the
 * Advanced tier's limit, a warning above the Standard tier's (Advanced parameters are charged).
 */
export function checkPublishedSize(f: CheckedFile): Problem[] {
  const bytes = Buffer.byteLength(JSON.stringify(f.migration), "utf8");
  const { ssmStandardBytes, ssmAdvancedBytes } = inputLimits;
  if (bytes > ssmAdvancedBytes) {
    return [
      problemAt(
        f,
        [],
        `the published parameter would be ${formatBytes(bytes)}; SSM parameters hold at most ${ssmAdvancedBytes} bytes (Advanced tier): shorten the ignore/include lists`,
      ),
    ];
  }
  if (bytes > ssmStandardBytes) {
    return [
      problemAt(
        f,
        [],
        `the published parameter would be ${formatBytes(bytes)}, over the Standard tier's ${ssmStandardBytes} bytes: publish writes it in the Advanced tier, which is charged`,
        "warning",
      ),
    ];
  }
  return [];
}

/**
 * Checks across files: duplicate names and enabled migrations writing overlapping prefixes.
 * Files take part with whatever their drafts can say, schema errors or not, once they have a name.
 */
export function checkMigrationSet(files: readonly FileDraft[]): Problem[] {
  const out: Problem[] = [];
  const byName = new Map<string, FileDraft>();
  for (const f of files) {
    const name = f.draft.name;
    if (name === undefined) continue;
    const first = byName.get(name);
    if (first) {
      out.push(problemAt(f, ["name"], `duplicate name '${name}': also in ${first.file}`));
    } else {
      byName.set(name, f);
    }
  }
  // a file without a readable name is no migration yet: nothing to name the conflict after
  const enabled = files.filter(
    (f) => f.draft.name !== undefined && f.draft.enabled === true && located(f.draft.destination),
  );
  for (let i = 0; i < enabled.length; i++) {
    const a = enabled[i] as FileDraft;
    for (let j = 0; j < i; j++) {
      const b = enabled[j] as FileDraft;
      const da = a.draft.destination as Located;
      const db = b.draft.destination as Located;
      if (sameBucket(da, db) && overlaps(da.prefix, db.prefix)) {
        out.push(
          problemAt(
            a,
            ["destination", "prefix"],
            `destination ${s3Url(da)} overlaps the destination ${s3Url(db)} of '${b.draft.name}' (${b.file})`,
          ),
        );
      }
    }
  }
  return out;
}
