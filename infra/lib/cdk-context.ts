import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const cdkJson = join(resolve(dirname(fileURLToPath(import.meta.url)), "../.."), "cdk.json");

/**
 * The context of `cdk.json`: the feature flags `cdk init` recommends for new projects of
 * the aws-cdk-lib version in use (`CURRENTLY_RECOMMENDED_FLAGS` of `aws-cdk-lib/cx-api`),
 * and the target partitions. The CDK CLI reads them from cdk.json itself; `npm run synth`
 * and the infra tests build the app without it, so they pass them in here and every
 * synthesis sees the same flags.
 */
export function cdkContext(): Record<string, unknown> {
  const parsed = JSON.parse(readFileSync(cdkJson, "utf8")) as { context?: Record<string, unknown> };
  return parsed.context ?? {};
}
