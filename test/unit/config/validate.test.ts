import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import {
  checkSchema,
  formatProblem,
  hasErrors,
  loadMigrations,
  normalizeMigration,
  parseMigrationFile,
} from "../../../worker/src/config/index.js";

const fixtures = "test/fixtures/migrations";

/** Each malformed file and the one problem it must produce, as printed after the file name: line:col  path  message. */
const invalid: Record<string, string> = {
  bad_name:
    "1:7  name  must be lowercase letters, digits and '-' (at most 64), starting and ending with a letter or digit",
  "bucket-double-dot":
    "7:11  destination.bucket  bucket name 'dst..bucket' must not contain two adjacent periods",
  "bucket-ip-address": "3:11  source.bucket  bucket name '192.168.1.1' must not look like an IP address",
  "bucket-reserved-prefix": "3:11  source.bucket  bucket name 'xn--bucket' must not start with 'xn--'",
  "bucket-too-short": "7:11  destination.bucket  bucket name 'ab' must be 3 to 63 characters long",
  "bucket-uppercase":
    "3:11  source.bucket  bucket name 'My_Bucket' may contain only lowercase letters, digits, '.' and '-'",
  "compare-md5": "12:10  compare  must be one of: size, etag, version",
  "credentials-empty-profile": "11:14  destination.credentials.profile  must not be empty",
  "credentials-profile-and-ssm":
    "11:5  destination.credentials  must be 'default', { profile: <name> } or { ssmParameter: <name>, region?: <region> }",
  "credentials-ssm-bad-region":
    "12:13  destination.credentials.region  must be an AWS region such as us-east-1 or cn-northwest-1",
  "credentials-unknown-word":
    "10:16  destination.credentials  must be 'default', { profile: <name> } or { ssmParameter: <name>, region?: <region> }",
  "default-credentials-across-partitions-endpoint":
    "7:3  destination.credentials  source (aws) and destination (aws-cn) are in different partitions, so one identity cannot reach both: give one side a profile or ssmParameter",
  "default-credentials-across-partitions":
    "7:3  destination.credentials  source (aws) and destination (aws-cn) are in different partitions, so one identity cannot reach both: give one side a profile or ssmParameter",
  "destination-inside-source":
    "8:11  destination.prefix  destination s3://src-bucket/data/copy/ is inside its own source s3://src-bucket/data/: copies would be copied again",
  empty: "1:1  (file)  must be a YAML map of migration fields (name, source, destination, ...)",
  "enabled-yes": "12:10  enabled  must be boolean",
  "endpoint-not-url": "6:13  source.endpoint  must be an http:// or https:// URL",
  "endpoint-partition-mismatch":
    "12:13  destination.endpoint  endpoint is in partition aws-cn but region 'us-west-2' is in partition aws",
  "ignore-empty-pattern": "14:5  ignore[1]  must not be empty",
  "ignore-never-matches":
    "14:5  ignore[1]  invalid pattern 'readme.md': can never match: patterns are matched against 'bucket/key' (e.g. '*/readme.md' or '*.jpg')",
  "ignore-not-a-list": "12:9  ignore  must be array",
  "ignore-unclosed-bracket":
    "13:5  ignore[0]  invalid pattern 'src-bucket/data/[abc*': unclosed '[' at character 17 (write [[] for a literal '[')",
  "ignore-wrong-bucket":
    "13:5  ignore[0]  invalid pattern 'other-bucket/data/*': can never match: 'other-bucket' is not the source bucket 'src-bucket'",
  "include-reversed-range":
    "13:5  include[0]  invalid pattern 'src-bucket/data/[z-a]*': invalid character set (a range like [z-a] is reversed)",
  "limits-fraction": "13:20  limits.partsInParallel  must be a whole number",
  "limits-zero": "13:20  limits.filesInParallel  must be >= 1",
  "mirror-share-not-percent": "14:19  mirror.maxDeleteShare  must be string",
  "mirror-share-over-100": "14:19  mirror.maxDeleteShare  must be a percentage from 0% to 100%, such as 25%",
  "mirror-without-enabled":
    "13:3  mirror  must be true, false or { enabled: true|false, maxDeleteShare: <percent> }",
  "mirror-yes": "12:9  mirror  must be true, false or { enabled: true|false, maxDeleteShare: <percent> }",
  "missing-destination-bucket": "6:1  destination.bucket  missing required key 'bucket'",
  "missing-name": "1:1  name  missing required key 'name'",
  "missing-source-region": "2:1  source.region  missing required key 'region'",
  "missing-source": "1:1  source  missing required key 'source'",
  "name-mismatch": "1:7  name  name 'another-name' does not match the file name 'name-mismatch.yaml'",
  "name-not-string": "1:7  name  must be string",
  "not-a-map": "1:1  (file)  must be a YAML map of migration fields (name, source, destination, ...)",
  "prefix-number": "4:11  source.prefix  must be string",
  "region-malformed": "5:11  source.region  must be an AWS region such as us-east-1 or cn-northwest-1",
  "source-inside-destination":
    "8:11  destination.prefix  source s3://src-bucket/data/sub/ is inside its own destination s3://src-bucket/data/: copies would overwrite sources",
  "storage-class-on-source": "6:3  source.storageClass  unknown key 'storageClass'",
  "storage-class-unknown":
    "12:17  destination.storageClass  must be one of: preserve, STANDARD, REDUCED_REDUNDANCY, STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER, DEEP_ARCHIVE, GLACIER_IR",
  "unknown-root-key": "12:1  compareMode  unknown key 'compareMode'",
  "unknown-source-key": "6:3  source.acl  unknown key 'acl'",
  "unknown-versioning-key":
    "13:3  versioning.compareVersionIds  unknown key 'compareVersionIds'; did you mean 'compareVersionId'?",
  "versioning-not-boolean": "13:27  versioning.getObjectWithVersionId  must be boolean",
  "yaml-duplicate-key": "12:1  (file)  YAML: Map keys must be unique",
  "yaml-syntax": '5:1  (file)  YAML: Missing closing "quote',
  "yaml-tab-indent": "3:1  (file)  YAML: Tabs are not allowed as indentation",
};

describe("validation of malformed migration files", () => {
  it("has a fixture for every row and a row for every fixture", () => {
    const files = readdirSync(join(fixtures, "invalid")).map((f) => f.replace(/\.yaml$/, ""));
    expect(files.sort()).toEqual(Object.keys(invalid).sort());
    expect(Object.keys(invalid).length).toBeGreaterThanOrEqual(30);
  });

  it.each(Object.entries(invalid))("%s.yaml → %s", (name, problem) => {
    const file = join(fixtures, "invalid", `${name}.yaml`);
    const { problems } = parseMigrationFile(readFileSync(file, "utf8"), file);
    expect(problems.map(formatProblem)).toEqual([`${file}:${problem}`]);
    expect(hasErrors(problems)).toBe(true);
  });

  it("finds duplicate names across files", async () => {
    const dir = join(fixtures, "invalid-sets", "duplicate-name");
    const { migrations, problems } = await loadMigrations(dir);
    expect(problems.map(formatProblem)).toEqual([
      `${dir}/twice.yml:1:7  name  duplicate name 'twice': also in ${dir}/twice.yaml`,
    ]);
    expect(migrations.map((m) => m.file)).toEqual([`${dir}/twice.yaml`]);
  });

  it("finds enabled migrations writing overlapping prefixes of one bucket, ignoring disabled ones", async () => {
    const dir = join(fixtures, "invalid-sets", "overlapping-destinations");
    const { problems } = await loadMigrations(dir);
    expect(problems.map(formatProblem)).toEqual([
      `${dir}/second.yaml:8:11  destination.prefix  destination s3://dst-bucket/shared/more/ overlaps the destination s3://dst-bucket/shared/ of 'first' (${dir}/first.yaml)`,
    ]);
  });

  it("checks a file with a schema error against the other files too, once it has a name", async () => {
    const dir = mkdtempSync(join(tmpdir(), "longbow-set-"));
    try {
      const file = (name: string, extra: string) =>
        [
          `${name}`,
          "source: { bucket: src-bucket, region: us-east-1 }",
          "destination: { bucket: dst-bucket, prefix: shared/, region: us-east-1 }",
          extra,
        ].join("\n");
      writeFileSync(join(dir, "a.yaml"), file("name: a", ""));
      writeFileSync(join(dir, "b.yaml"), file("name: b", "compare: md5"));
      // no readable name: not a migration yet, so no conflict is named after it
      writeFileSync(join(dir, "c.yaml"), file("nmae: c", ""));
      const { problems } = await loadMigrations(dir);
      expect(problems.map(formatProblem)).toEqual([
        `${dir}/b.yaml:3:44  destination.prefix  destination s3://dst-bucket/shared/ overlaps the destination s3://dst-bucket/shared/ of 'a' (${dir}/a.yaml)`,
        `${dir}/b.yaml:4:10  compare  must be one of: size, etag, version`,
        `${dir}/c.yaml:1:1  name  missing required key 'name'`,
        `${dir}/c.yaml:1:1  nmae  unknown key 'nmae'; did you mean 'name'?`,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  /** Files with several problems, and every one of them, as printed after the file name. */
  const several: Record<string, { text: string[]; problems: string[] }> = {
    "many.yaml": {
      text: ["name: many", "source:", "  bucket: b", "  colour: red", "destination:", "  region: mars"],
      problems: [
        "2:1  source.region  missing required key 'region'",
        "3:11  source.bucket  bucket name 'b' must be 3 to 63 characters long",
        "4:3  source.colour  unknown key 'colour'",
        "5:1  destination.bucket  missing required key 'bucket'",
        "6:11  destination.region  must be an AWS region such as us-east-1 or cn-northwest-1",
      ],
    },
    "together.yaml": {
      text: [
        "name: together",
        "source: { bucket: same-bucket, prefix: data/, region: us-east-1 }",
        "destination: { bucket: same-bucket, prefix: data/copy/, region: us-east-1, endpiont: x }",
        "compare: md5",
      ],
      problems: [
        "3:45  destination.prefix  destination s3://same-bucket/data/copy/ is inside its own source s3://same-bucket/data/: copies would be copied again",
        "3:76  destination.endpiont  unknown key 'endpiont'; did you mean 'endpoint'?",
        "4:10  compare  must be one of: size, etag, version",
      ],
    },
  };

  // so a file is fixed in one round
  it.each(Object.entries(several))(
    "reports every problem of %s, in file order, schema and semantic together",
    (file, { text, problems }) => {
      const found = parseMigrationFile(text.join("\n"), file).problems.map(formatProblem);
      expect(found).toEqual(problems.map((p) => `${file}:${p}`));
    },
  );
});

describe("valid migration files", () => {
  it("load without problems, with defaults applied", async () => {
    const { migrations, problems } = await loadMigrations(join(fixtures, "valid"));
    expect(problems).toEqual([]);
    const minimal = migrations.find((m) => m.migration.name === "minimal")?.migration;
    expect(minimal).toEqual({
      name: "minimal",
      enabled: true,
      source: { bucket: "src-bucket", prefix: "", region: "us-east-1", credentials: "default" },
      destination: {
        bucket: "dst-bucket",
        prefix: "",
        region: "cn-northwest-1",
        credentials: { ssmParameter: "s3_migration_credentials" },
        storageClass: "STANDARD",
        tags: "copy",
      },
      compare: "etag",
      ignore: [],
      include: [],
      versioning: { compareVersionId: false, updateVersionId: false, getObjectWithVersionId: false },
      limits: {},
      mirror: { enabled: false, maxDeleteShare: "10%" },
    });
  });

  it("round-trip: the normalized model written back as YAML or JSON loads to the same model", async () => {
    const { migrations } = await loadMigrations(join(fixtures, "valid"));
    expect(migrations).toHaveLength(3);
    for (const { migration, file } of migrations) {
      const again = parseMigrationFile(stringify(migration), file);
      expect(again.problems).toEqual([]);
      expect(again.checked?.migration).toEqual(migration);
      const json = checkSchema(JSON.parse(JSON.stringify(migration)));
      expect(json.ok && normalizeMigration(json.file)).toEqual(migration);
    }
  });

  it("the shipped migrations folder validates and holds no enabled migration", async () => {
    const { migrations, problems } = await loadMigrations("migrations");
    expect(problems).toEqual([]);
    expect(migrations.length).toBeGreaterThan(0);
    expect(migrations.filter((m) => m.migration.enabled)).toEqual([]);
  });
});

describe("the migrations folder", () => {
  it("names a folder that cannot be read", async () => {
    await expect(loadMigrations("test/fixtures/migrations/no-such-folder")).rejects.toThrow(
      "cannot read the migrations folder 'test/fixtures/migrations/no-such-folder'",
    );
  });
});
