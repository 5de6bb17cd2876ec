import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { s3For, uniqueBucket } from "../../emulator/clients.js";
import { runLongbow, writeMigration, writeProfiles } from "../../support/cli.js";
import { createBucket, putObject } from "../../support/s3-objects.js";

const { global, china } = inject("emulator");
const [src, dst] = [s3For(global), s3For(china)];
const dir = mkdtempSync(join(tmpdir(), "longbow-messages-"));
const profiles = writeProfiles(join(dir, "aws"), [global, china]);

async function buckets() {
  const [sb, db] = [uniqueBucket("msg-src"), uniqueBucket("msg-dst")];
  await createBucket(src, sb, global.region);
  await createBucket(dst, db, china.region);
  await putObject(src, sb, "data/a.txt", Buffer.from("a"));
  return { sb, db };
}

const cpArgs = (sb: string, db: string, source: string[], dest: string[]) => [
  "cp",
  `s3://${sb}/data/a.txt`,
  `s3://${db}/copy/`,
  "--source-endpoint",
  global.endpoint,
  "--source-region",
  global.region,
  ...source,
  "--dest-endpoint",
  china.endpoint,
  "--dest-region",
  china.region,
  ...dest,
];

describe("messages that say what went wrong and what to do", () => {
  it("an unknown --source-profile is named as such, with the side and endpoint, not as a refused request", async () => {
    const { sb, db } = await buckets();
    const run = runLongbow(
      cpArgs(sb, db, ["--source-profile", "nosuch"], ["--dest-profile", "china"]),
      profiles,
    );
    expect(await run.exited).toBe(1);
    const out = run.stdout();
    expect(out).toContain(`source ${global.endpoint} (${global.region}): unknown profile 'nosuch'`);
    expect(out).toContain("AWS_SHARED_CREDENTIALS_FILE");
    expect(out).not.toMatch(/refused|check the source credentials/);
  });

  it("missing credentials are named as such, with where they were looked for", async () => {
    const { sb, db } = await buckets();
    const run = runLongbow(cpArgs(sb, db, [], ["--dest-profile", "china"]), {
      ...profiles,
      AWS_EC2_METADATA_DISABLED: "true",
    });
    expect(await run.exited).toBe(1);
    expect(run.stdout()).toContain(`source ${global.endpoint} (${global.region}): no credentials found`);
    expect(run.stdout()).toContain("AWS_ACCESS_KEY_ID");
    expect(run.stdout()).not.toContain("refused");
  });

  it("migrate with the other side's keys names the side, endpoint and bucket, not only the SDK's sentence", async () => {
    const { sb, db } = await buckets();
    const folder = writeMigration(
      mkdtempSync(join(dir, "wrong-keys-")),
      "wrong",
      { side: global, bucket: sb, prefix: "data/" },
      // the global key on the China side: its key guard refuses it
      { side: china, bucket: db, prefix: "copy/", profile: "global" },
    );
    const run = runLongbow(
      ["migrate", "--dir", folder, "--state", join(folder, "state"), "--json", "--no-progress"],
      profiles,
    );
    expect(await run.exited).toBe(1);
    expect(run.stderr()).toMatch(
      new RegExp(
        `destination ${china.endpoint.replaceAll(".", "\\.")} \\(${china.region}\\) refused ListObjectsV2 on bucket '${db}'`,
      ),
    );
    expect(run.stderr()).toContain("check the destination credentials (profile 'global')");
  });
});
