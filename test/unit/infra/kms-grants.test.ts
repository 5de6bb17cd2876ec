import { beforeAll, describe, expect, it } from "vitest";
import { destinationKmsKeys } from "../../../infra/lib/bucket-grants.js";
import type { MigrationGrantSource } from "../../../infra/lib/config.js";
import { arnProblem, arnsOf, nagFindings, type Synthesized, statementsOf, synthesize } from "./synth.js";

const key = "arn:aws-cn:kms:cn-north-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const otherKey = "arn:aws-cn:kms:cn-northwest-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab";

// A stack in China whose fleet writes two SSE-KMS destinations, one SSE-S3 destination, one
// SSE-KMS destination reached with an access key and one disabled SSE-KMS migration.
const migrations: MigrationGrantSource[] = [
  {
    name: "kms-a",
    source: { bucket: "src-global", region: "us-east-1", credentials: { ssmParameter: "global-keys" } },
    destination: { bucket: "dst-a", region: "cn-north-1", encryption: { type: "SSE-KMS", keyId: key } },
  },
  {
    name: "kms-a-again",
    source: {
      bucket: "src-global",
      prefix: "b/",
      region: "us-east-1",
      credentials: { ssmParameter: "global-keys" },
    },
    destination: {
      bucket: "dst-a",
      prefix: "b/",
      region: "cn-north-1",
      encryption: { type: "SSE-KMS", keyId: key },
    },
  },
  {
    name: "kms-b",
    source: {
      bucket: "src-global",
      prefix: "c/",
      region: "us-east-1",
      credentials: { ssmParameter: "global-keys" },
    },
    destination: {
      bucket: "dst-b",
      region: "cn-northwest-1",
      encryption: { type: "SSE-KMS", keyId: otherKey },
    },
  },
  {
    name: "sse-s3",
    source: {
      bucket: "src-global",
      prefix: "d/",
      region: "us-east-1",
      credentials: { ssmParameter: "global-keys" },
    },
    destination: { bucket: "dst-c", region: "cn-north-1", encryption: { type: "SSE-S3" } },
  },
  {
    name: "by-access-key",
    source: { bucket: "src-china", region: "cn-north-1" },
    destination: {
      bucket: "dst-elsewhere",
      region: "cn-north-1",
      credentials: { profile: "other-account" },
      encryption: {
        type: "SSE-KMS",
        keyId: "arn:aws-cn:kms:cn-north-1:210987654321:key/aaaaaaaa-12ab-34cd-56ef-1234567890ab",
      },
    },
  },
  {
    name: "off",
    enabled: false,
    source: { bucket: "src-china", prefix: "off/", region: "cn-north-1" },
    destination: {
      bucket: "dst-off",
      region: "cn-north-1",
      encryption: {
        type: "SSE-KMS",
        keyId: "arn:aws-cn:kms:cn-north-1:123456789012:key/bbbbbbbb-12ab-34cd-56ef-1234567890ab",
      },
    },
  },
];

describe("destinationKmsKeys", () => {
  it("lists each key of an enabled destination the role writes, once", () => {
    expect(destinationKmsKeys(migrations, "aws-cn")).toEqual([
      { region: "cn-north-1", key: "cn-north-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" },
      {
        region: "cn-northwest-1",
        key: "cn-northwest-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab",
      },
    ]);
    // a stack in the global partition writes none of these destinations
    expect(destinationKmsKeys(migrations, "aws")).toEqual([]);
  });
});

describe("a stack whose destinations use SSE-KMS", () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synthesize({ partition: "aws-cn", notificationEmail: "ops@example.com" }, migrations);
  }, 120_000);

  const kmsStatements = (rolePrefix: string) =>
    statementsOf(s.template, rolePrefix).filter((st) => JSON.stringify(st.Action).includes("kms:"));

  it("grants the fleet role GenerateDataKey, Encrypt and Decrypt on exactly those keys, through S3 only", () => {
    expect(kmsStatements("WorkersRole")).toEqual([
      {
        Sid: "EncryptDestinationKey1",
        Effect: "Allow",
        Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
        Resource: {
          "Fn::Join": [
            "",
            [
              "arn:",
              { Ref: "AWS::Partition" },
              ":kms:cn-north-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            ],
          ],
        },
        Condition: {
          StringEquals: {
            "kms:ViaService": { "Fn::Join": ["", ["s3.cn-north-1.", { Ref: "AWS::URLSuffix" }]] },
          },
        },
      },
      {
        Sid: "EncryptDestinationKey2",
        Effect: "Allow",
        Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
        Resource: {
          "Fn::Join": [
            "",
            [
              "arn:",
              { Ref: "AWS::Partition" },
              ":kms:cn-northwest-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab",
            ],
          ],
        },
        Condition: {
          StringEquals: {
            "kms:ViaService": { "Fn::Join": ["", ["s3.cn-northwest-1.", { Ref: "AWS::URLSuffix" }]] },
          },
        },
      },
    ]);
    const all = JSON.stringify(s.template.toJSON());
    expect(all).not.toContain("210987654321");
    expect(all).not.toContain("bbbbbbbb-");
  });

  it("spells the key ARNs with the deploy-time partition and stays clean under cdk-nag", () => {
    const kms = arnsOf(s.template).filter(({ arn }) => arn.includes(":kms:"));
    expect(kms.length).toBeGreaterThan(0);
    expect(kms.filter(({ arn }) => arnProblem(arn) !== undefined)).toEqual([]);
    expect(nagFindings(s.app)).toEqual([]);
  }, 60_000);
});
