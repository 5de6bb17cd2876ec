import { describe, expect, it } from "vitest";
import { formatProblem, jobDestination, parseMigrationFile } from "../../../worker/src/config/index.js";

const file = "migrations/enc.yaml";

/** A migration to `region` whose destination ends with the given `encryption:` lines (indented 4). */
function yaml(region: string, encryption: string[]): string {
  return [
    "name: enc",
    "source:",
    "  bucket: src-bucket",
    "  region: us-east-1",
    "  credentials: default",
    "destination:",
    "  bucket: dst-bucket",
    `  region: ${region}`,
    "  credentials: { profile: china }",
    "  encryption:",
    ...encryption.map((l) => `    ${l}`),
    "",
  ].join("\n");
}

const problemsOf = (text: string) => parseMigrationFile(text, file).problems.map(formatProblem);

const chinaKey = "arn:aws-cn:kms:cn-north-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

describe("destination.encryption", () => {
  it("accepts SSE-S3 and SSE-KMS with a key of the destination's partition and region, and carries them to jobs", () => {
    const s3 = parseMigrationFile(yaml("cn-north-1", ["type: SSE-S3"]), file);
    expect(s3.problems).toEqual([]);
    expect(s3.checked?.migration.destination.encryption).toEqual({ type: "SSE-S3" });

    const kms = parseMigrationFile(
      yaml("cn-north-1", ["type: SSE-KMS", `keyId: ${chinaKey}`, "bucketKey: true"]),
      file,
    );
    expect(kms.problems).toEqual([]);
    const m = kms.checked?.migration;
    expect(m?.destination.encryption).toEqual({ type: "SSE-KMS", keyId: chinaKey, bucketKey: true });
    expect(m && jobDestination(m, "a/b").encryption).toEqual({
      type: "SSE-KMS",
      keyId: chinaKey,
      bucketKey: true,
    });

    const multiRegion = "arn:aws:kms:us-west-2:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab";
    expect(problemsOf(yaml("us-west-2", ["type: SSE-KMS", `keyId: ${multiRegion}`]))).toEqual([]);
  });

  it("leaves encryption out when the file has none (the bucket's default applies)", () => {
    const text = yaml("cn-north-1", ["type: SSE-S3"]).replace(/ {2}encryption:\n.*\n/, "");
    const parsed = parseMigrationFile(text, file);
    expect(parsed.problems).toEqual([]);
    expect(parsed.checked?.migration.destination).not.toHaveProperty("encryption");
  });

  it.each([
    [
      "a global-partition key for a China destination",
      yaml("cn-north-1", ["type: SSE-KMS", `keyId: ${chinaKey.replace("aws-cn", "aws")}`]),
      `${file}:12:12  destination.encryption.keyId  keyId is in partition aws but the destination region 'cn-north-1' is in partition aws-cn: give a key of arn:aws-cn:kms:cn-north-1:...`,
    ],
    [
      "a China key for a global destination",
      yaml("eu-west-1", ["type: SSE-KMS", `keyId: ${chinaKey}`]),
      `${file}:12:12  destination.encryption.keyId  keyId is in partition aws-cn but the destination region 'eu-west-1' is in partition aws: give a key of arn:aws:kms:eu-west-1:...`,
    ],
    [
      "a key in another region of the partition",
      yaml("cn-northwest-1", ["type: SSE-KMS", `keyId: ${chinaKey}`]),
      `${file}:12:12  destination.encryption.keyId  keyId is a key in cn-north-1 but the destination bucket is in cn-northwest-1: S3 encrypts only with a key in the bucket's own region`,
    ],
    [
      "a bare key id",
      yaml("cn-north-1", ["type: SSE-KMS", "keyId: 1234abcd-12ab-34cd-56ef-1234567890ab"]),
      `${file}:12:12  destination.encryption.keyId  keyId must be the ARN of a KMS key, arn:<aws|aws-cn>:kms:<region>:<12-digit account>:key/<key id>`,
    ],
    [
      "an alias ARN",
      yaml("cn-north-1", ["type: SSE-KMS", "keyId: arn:aws-cn:kms:cn-north-1:123456789012:alias/backup"]),
      `${file}:12:12  destination.encryption.keyId  keyId is an alias ARN: give the key's own ARN (aws kms describe-key --key-id <alias> shows it), which the fleet role is granted on`,
    ],
    [
      "a short account",
      yaml("cn-north-1", ["type: SSE-KMS", `keyId: ${chinaKey.replace("123456789012", "1234")}`]),
      `${file}:12:12  destination.encryption.keyId  keyId's account '1234' is not 12 digits: arn:<aws|aws-cn>:kms:<region>:<12-digit account>:key/<key id>`,
    ],
    [
      "a key id that is no UUID",
      yaml("cn-north-1", ["type: SSE-KMS", "keyId: arn:aws-cn:kms:cn-north-1:123456789012:key/my-key"]),
      `${file}:12:12  destination.encryption.keyId  keyId's resource 'key/my-key' is not key/<key id> (a lowercase UUID or mrk-<32 hex>)`,
    ],
    [
      "another partition",
      yaml("cn-north-1", [
        "type: SSE-KMS",
        "keyId: arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
      ]),
      `${file}:12:12  destination.encryption.keyId  keyId is in partition 'aws-us-gov'; Longbow writes to aws and aws-cn only`,
    ],
    [
      "SSE-KMS without a key",
      yaml("cn-north-1", ["type: SSE-KMS"]),
      `${file}:11:5  destination.encryption  type SSE-KMS needs keyId: the ARN of the KMS key (the fleet role is granted on exactly that key)`,
    ],
    [
      "a key with SSE-S3",
      yaml("cn-north-1", ["type: SSE-S3", `keyId: ${chinaKey}`]),
      `${file}:12:12  destination.encryption.keyId  keyId is for type SSE-KMS only; SSE-S3 uses keys S3 manages`,
    ],
    [
      "an unknown type",
      yaml("cn-north-1", ["type: aws:kms"]),
      `${file}:11:11  destination.encryption.type  must be one of: SSE-S3, SSE-KMS`,
    ],
    [
      "an unknown field",
      yaml("cn-north-1", ["type: SSE-S3", "algorithm: AES256"]),
      `${file}:12:5  destination.encryption.algorithm  unknown key 'algorithm'`,
    ],
  ])("refuses %s, at the field", (_what, text, expected) => {
    expect(problemsOf(text)).toEqual([expected]);
  });

  it("reads a hostile keyId in linear time and quotes it only as text", () => {
    const hostile = `arn:aws-cn:kms:cn-north-1:123456789012:key/${"a-".repeat(1000)}`;
    const [problem] = problemsOf(yaml("cn-north-1", ["type: SSE-KMS", `keyId: "${hostile}"`]));
    expect(problem).toContain("is not key/<key id>");
  });
});
