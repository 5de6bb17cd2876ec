import { execFileSync } from "node:child_process";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatProblem, loadMigrations, type Problem } from "../../../worker/src/config/index.js";

const dir = "test/fixtures/migrations/hostile";

/**
 * One problem per hostile file: the line it must be reported at, the field, a fragment of
 * the message, and whether it is a warning. Columns are asserted where the existing
 * fixtures assert them (`invalid/`); here the line is the contract.
 */
const hostile: [name: string, line: number, path: string, fragment: string, severity?: "warning"][] = [
  // an ignore pattern's alias bomb, nesting and recursion: each against its own file
  ["alias-bomb", 13, "", "aliases expand to too much data (more than the limit of 100)"],
  ["alias-deep", 13, "", "nested deeper than 32 levels"],
  ["alias-recursive", 11, "", "alias '*self' is inside the collection it names"],
  ["nesting-block", 43, "", "nested deeper than 32 levels"],
  ["nesting-flow", 11, "", "nested deeper than 32 levels"],
  ["nesting-too-deep-to-parse", 11, "", "nested too deeply to parse"],
  ["duplicate-key", 5, "", "Map keys must be unique"],
  ["duplicate-key-quoted", 7, "", "Map keys must be unique"],
  ["multiple-documents", 11, "", "multiple documents"],
  ["proto-key", 11, "__proto__", "unknown key '__proto__'"],
  ["binary-tag", 7, "destination.prefix", "must be string"],
  ["unknown-tag", 11, "", "Unresolved tag: !sha256", "warning"],
  ["unknown-key-did-you-mean", 9, "destination.storage_class", "did you mean 'storageClass'?"],
  ["unknown-root-key-did-you-mean", 11, "ignores", "unknown key 'ignores'; did you mean 'ignore'?"],
  ["control-char-in-bucket", 3, "source.bucket", "'hostile\\x1b]8;;https://evil.example\\x07src'"],
  // bytes: never replaced silently, always with the line of the first bad one
  ["encoding-latin1", 5, "", "not valid UTF-8: bytes 0xe9"],
  ["encoding-overlong", 7, "", "not valid UTF-8: bytes 0xc0 0xaf"],
  ["encoding-surrogate", 3, "", "not valid UTF-8: bytes 0xed 0xa0 0x80"],
  ["encoding-truncated", 11, "", "not valid UTF-8: bytes 0xe2 0x82"],
  ["encoding-utf16", 1, "", "file is UTF-16"],
  ["file-over-64kib", 1, "", "file is 68.5 KiB; a migration file may be at most 64 KiB"],
  ["published-over-8kb", 1, "", "SSM parameters hold at most 8192 bytes (Advanced tier)"],
  ["published-over-4kb", 1, "", "over the Standard tier's 4096 bytes", "warning"],
  // control characters in prefixes
  ["prefix-nul", 7, "destination.prefix", "must be a key prefix without control characters"],
  ["prefix-newline", 4, "source.prefix", "must be a key prefix without control characters"],
  ["prefix-escape", 7, "destination.prefix", "must be a key prefix without control characters"],
  ["prefix-c1", 7, "destination.prefix", "must be a key prefix without control characters"],
  ["prefix-del", 4, "source.prefix", "must be a key prefix without control characters"],
  // endpoints
  ["endpoint-userinfo", 5, "source.endpoint", "must not contain a user name or password"],
  ["endpoint-user-only", 5, "source.endpoint", "must not contain a user name or password"],
  ["endpoint-query", 5, "source.endpoint", "must not have a query"],
  ["endpoint-fragment", 5, "source.endpoint", "must not have a fragment"],
  ["endpoint-metadata-ipv4", 5, "source.endpoint", "link-local address"],
  ["endpoint-link-local-https", 5, "source.endpoint", "link-local address"],
  ["endpoint-metadata-hex", 5, "source.endpoint", "link-local address"],
  ["endpoint-mapped-ipv6", 5, "source.endpoint", "link-local address"],
  ["endpoint-link-local-ipv6", 5, "source.endpoint", "link-local address"],
  ["endpoint-metadata-ipv6", 5, "source.endpoint", "EC2 instance metadata service"],
  ["endpoint-metadata-name", 5, "source.endpoint", "EC2 instance metadata service"],
  ["endpoint-http-remote", 5, "source.endpoint", "http:// only on a loopback address"],
  // a destination inside its own source, however the endpoint is spelled
  ["overlap-trailing-slash", 9, "destination.prefix", "is inside its own source"],
  ["overlap-explicit-regional-endpoint", 8, "destination.prefix", "is inside its own source"],
  ["overlap-explicit-global-endpoint", 8, "destination.prefix", "is inside its own source"],
  ["overlap-other-region", 8, "destination.prefix", "is inside its own source"],
  ["overlap-host-case", 9, "destination.prefix", "is inside its own source"],
  ["overlap-default-port", 9, "destination.prefix", "is inside its own source"],
  ["overlap-china-endpoint", 8, "destination.prefix", "is inside its own source"],
  ["overlap-loopback-names", 9, "destination.prefix", "is inside its own source"],
  ["overlap-source-inside-destination", 9, "destination.prefix", "is inside its own destination"],
  // regions, against the SDK's partition table
  ["region-typo", 4, "source.region", "'us-eest-1' is not a region the AWS SDK knows", "warning"],
  ["region-unlisted-china", 8, "destination.region", "did you mean 'cn-northwest-1'?", "warning"],
  ["region-credentials-typo", 11, "destination.credentials.region", "'cn-nortwest-1'", "warning"],
  ["region-impossible", 4, "source.region", "'xx-east-1' is not an AWS region"],
  ["region-govcloud", 4, "source.region", "is in partition aws-us-gov"],
];

describe("the hostile-input corpus", () => {
  let problems: Problem[];
  beforeAll(async () => {
    // the whole folder at once: no file's problem may stop or hide another's
    ({ problems } = await loadMigrations(dir));
  });

  it("has a fixture for every row and a row for every fixture", () => {
    const files = readdirSync(dir).map((f) => f.replace(/\.yaml$/, ""));
    expect(files.sort()).toEqual(hostile.map(([f]) => f).sort());
    expect(hostile.length).toBeGreaterThanOrEqual(40);
  });

  it.each(hostile)("%s.yaml → line %i %s: %s", (name, line, path, fragment, severity) => {
    const file = join(dir, `${name}.yaml`);
    const mine = problems.filter((p) => p.file === file);
    expect(mine.map(formatProblem), "exactly one problem").toHaveLength(1);
    const p = mine[0] as Problem;
    expect(formatProblem(p)).toMatch(new RegExp(`^${file}:${line}:\\d+  ${path || "\\(file\\)"}  `));
    expect(p.message).toContain(fragment);
    expect(p.severity ?? "error").toBe(severity ?? "error");
  });

  it("never repeats a password from an endpoint", () => {
    expect(problems.map(formatProblem).join("\n")).not.toContain("hunter2");
  });
});

describe("entries of the migrations folder that are not plain files", () => {
  const root = mkdtempSync(join(tmpdir(), "longbow-hostile-"));
  const folder = join(root, "migrations");
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  beforeAll(() => {
    mkdirSync(folder);
    const good = ["name: good", "source: { bucket: src-bucket, region: us-east-1 }"];
    const dst = "destination: { bucket: dst-bucket, region: us-east-1, prefix: copy/ }";
    writeFileSync(join(folder, "good.yaml"), [...good, dst].join("\n"));
    // a byte order mark is fine
    writeFileSync(
      join(folder, "bom.yaml"),
      `\ufeff${["name: bom", ...good.slice(1), dst.replace("copy/", "bom/")].join("\n")}`,
    );
    mkdirSync(join(folder, "x.yaml"));
    writeFileSync(join(folder, "x.yaml", "inside.yaml"), "name: inside");
    symlinkSync("nowhere.yaml", join(folder, "dangling.yaml"));
    symlinkSync("loop-b.yaml", join(folder, "loop-a.yaml"));
    symlinkSync("loop-a.yaml", join(folder, "loop-b.yaml"));
    // a valid migration outside the folder: following the link would make it count
    writeFileSync(join(root, "outside.yaml"), ["name: escape", ...good.slice(1), dst].join("\n"));
    symlinkSync(join(root, "outside.yaml"), join(folder, "escape.yaml"));
    // a pipe nobody writes to: reading it would block forever
    execFileSync("mkfifo", [join(folder, "pipe.yaml")]);
    for (const n of ["good.YAML", "good.json", "good.yaml.bak", "good.Yml"])
      copyFileSync(join(folder, "good.yaml"), join(folder, n));
    writeFileSync(join(folder, "schema.json"), "{}");
    writeFileSync(join(folder, "README.md"), "# migrations");
  });

  it("reports each against its own name and still loads the good files", async () => {
    const { migrations, problems } = await loadMigrations(folder);
    const at = (name: string) => `${join(folder, name)}:1:1  (file)  `;
    expect(problems.map(formatProblem)).toEqual([
      `${at("dangling.yaml")}is a symbolic link to 'nowhere.yaml', which does not exist`,
      `${at("escape.yaml")}is a symbolic link to '${join(root, "outside.yaml")}', outside ${folder}: links out of the folder are not followed`,
      `${at("good.YAML")}warning: is not read: migration files end in .yaml or .yml (lower case); rename it, or move it out of ${folder}`,
      `${at("good.Yml")}warning: is not read: migration files end in .yaml or .yml (lower case); rename it, or move it out of ${folder}`,
      `${at("good.json")}warning: is not read: migration files end in .yaml or .yml (lower case); rename it, or move it out of ${folder}`,
      `${at("good.yaml.bak")}warning: is not read: migration files end in .yaml or .yml (lower case); rename it, or move it out of ${folder}`,
      `${at("loop-a.yaml")}is a symbolic link to 'loop-b.yaml', which is part of a loop of links`,
      `${at("loop-b.yaml")}is a symbolic link to 'loop-a.yaml', which is part of a loop of links`,
      `${at("pipe.yaml")}is not a regular file (a pipe, socket or device): not read`,
      `${at("x.yaml")}is a folder, not a migration file: rename it or move it out of ${folder}`,
    ]);
    expect(migrations.map((m) => m.migration.name)).toEqual(["bom", "good"]);
  });
});
