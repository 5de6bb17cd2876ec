import { partitionOf } from "../endpoint/index.js";
import type { EncryptionDraft } from "./draft.js";
import { type Problem, problemAt } from "./problem.js";
import type { YamlSource } from "./yaml-source.js";

type Where = { file: string; source: YamlSource };

/** The parts of a KMS key ARN: `arn:<partition>:kms:<region>:<account>:key/<key id>`. */
export interface KmsKeyArn {
  partition: string;
  region: string;
  account: string;
  keyId: string;
}

// Each pattern is a fixed sequence of character classes (no alternation under a
// quantifier), so matching is linear in the text however hostile it is.
const account = /^[0-9]{12}$/;
const uuidKey = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const multiRegionKey = /^mrk-[0-9a-f]{32}$/;

/** `us-east-1`, `cn-north-1`, `ap-southeast-5`: letters, words, a number, joined by `-`. */
function isRegionName(region: string): boolean {
  const words = region.split("-");
  const [first, last] = [words[0] ?? "", words[words.length - 1] ?? ""];
  return (
    words.length >= 3 &&
    /^[a-z]{2}$/.test(first) &&
    /^[0-9]{1,2}$/.test(last) &&
    words.slice(1, -1).every((w) => /^[a-z]{1,20}$/.test(w))
  );
}

/** Reads a KMS key ARN, or says what is wrong with it (a message naming the expected form). */
export function parseKmsKeyArn(text: string): KmsKeyArn | { problem: string } {
  const form = "arn:<aws|aws-cn>:kms:<region>:<12-digit account>:key/<key id>";
  const fields = text.split(":");
  if (fields.length !== 6 || fields[0] !== "arn" || fields[2] !== "kms") {
    return { problem: `keyId must be the ARN of a KMS key, ${form}` };
  }
  const [, partition, , region, owner, resource] = fields as [string, string, string, string, string, string];
  if (partition !== "aws" && partition !== "aws-cn") {
    return { problem: `keyId is in partition '${partition}'; Longbow writes to aws and aws-cn only` };
  }
  if (!isRegionName(region)) return { problem: `keyId names no region ('${region}'): ${form}` };
  if (!account.test(owner)) return { problem: `keyId's account '${owner}' is not 12 digits: ${form}` };
  if (resource.startsWith("alias/")) {
    return {
      problem:
        "keyId is an alias ARN: give the key's own ARN (aws kms describe-key --key-id <alias> shows it), which the fleet role is granted on",
    };
  }
  const slash = resource.indexOf("/");
  const keyId = resource.slice(slash + 1);
  if (resource.slice(0, slash) !== "key" || !(uuidKey.test(keyId) || multiRegionKey.test(keyId))) {
    return {
      problem: `keyId's resource '${resource}' is not key/<key id> (a lowercase UUID or mrk-<32 hex>)`,
    };
  }
  return { partition, region, account: owner, keyId };
}

/**
 * Checks of `destination.encryption` the schema cannot express: the fields each type takes,
 * and a KMS key S3 can use for the destination bucket (a well-formed key ARN in the
 * destination's partition and region: S3 encrypts only with a key in the bucket's region).
 */
export function checkEncryption(
  where: Where,
  e: EncryptionDraft | undefined,
  destinationRegion: string | undefined,
): Problem[] {
  if (e === undefined || e.type === undefined) return [];
  const at = (...rest: string[]) => ["destination", "encryption", ...rest];
  if (e.type === "SSE-S3") {
    return (["keyId", "bucketKey"] as const)
      .filter((k) => e[k] !== null)
      .map((k) => problemAt(where, at(k), `${k} is for type SSE-KMS only; SSE-S3 uses keys S3 manages`));
  }
  if (e.type !== "SSE-KMS") return [];
  if (e.keyId === null) {
    return [
      problemAt(
        where,
        at(),
        "type SSE-KMS needs keyId: the ARN of the KMS key (the fleet role is granted on exactly that key)",
      ),
    ];
  }
  if (e.keyId === undefined) return [];
  const arn = parseKmsKeyArn(e.keyId);
  if ("problem" in arn) return [problemAt(where, at("keyId"), arn.problem)];
  if (destinationRegion === undefined) return [];
  const wanted = partitionOf(destinationRegion);
  if (arn.partition !== wanted) {
    return [
      problemAt(
        where,
        at("keyId"),
        `keyId is in partition ${arn.partition} but the destination region '${destinationRegion}' is in partition ${wanted}: give a key of arn:${wanted}:kms:${destinationRegion}:...`,
      ),
    ];
  }
  if (arn.region !== destinationRegion) {
    return [
      problemAt(
        where,
        at("keyId"),
        `keyId is a key in ${arn.region} but the destination bucket is in ${destinationRegion}: S3 encrypts only with a key in the bucket's own region`,
      ),
    ];
  }
  return [];
}
