import { describe, expect, it } from "vitest";
import { normalizeMigration } from "../../../worker/src/config/index.js";
import { assemblePlan, MigrationPlanBuilder, renderPlanMarkdown } from "../../../worker/src/plan/index.js";

const keyId = "arn:aws-cn:kms:cn-northwest-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const migration = (encryption?: Parameters<typeof normalizeMigration>[0]["destination"]["encryption"]) =>
  normalizeMigration({
    name: "videos",
    source: { bucket: "src", region: "us-east-1" },
    destination: { bucket: "dst", region: "cn-northwest-1", ...(encryption ? { encryption } : {}) },
  });

const render = (m: ReturnType<typeof migration>) =>
  renderPlanMarkdown(assemblePlan([new MigrationPlanBuilder(m).build(1e8)], 1e8, new Date(0)));

describe("the plan shows the destination encryption", () => {
  it("in one line of the migration's fold, with the key and the bucket key", () => {
    const md = render(migration({ type: "SSE-KMS", keyId, bucketKey: true }));
    expect(md.split("\n").filter((l) => l.startsWith("Encryption:"))).toEqual([
      `Encryption: SSE-KMS with key \`${keyId}\`, S3 Bucket Key on; verified by Content-MD5 (the destination's ETags are not MD5s)`,
    ]);
    expect(render(migration({ type: "SSE-S3" }))).toContain("Encryption: SSE-S3 (keys S3 manages)");
  });

  it("and says nothing when the bucket's default applies", () => {
    expect(render(migration())).not.toContain("Encryption:");
  });
});
