// Synthesizes the Longbow stack offline for the infra tests: one call per variant per file.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { AwsSolutionsChecks } from "cdk-nag";
import { cdkContext } from "../../../infra/lib/cdk-context.js";
import {
  type LongbowConfigInput,
  type MigrationGrantSource,
  resolveConfig,
} from "../../../infra/lib/config.js";
import { LongbowStack } from "../../../infra/lib/longbow-stack.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../../..");
/** A stand-in for `npm run build`'s output, so synthesis needs no build. */
export const bundleDir = join(here, "fixtures/bundle");

export interface Synthesized {
  readonly app: App;
  readonly stack: LongbowStack;
  readonly template: Template;
  /** The template as JSON text on disk, for cfn-lint. */
  readonly templateFile: string;
}

export function synthesize(
  input: LongbowConfigInput,
  migrations: readonly MigrationGrantSource[],
): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), "longbow-cdk-"));
  const app = new App({ outdir, context: cdkContext() });
  const config = resolveConfig(input);
  const stack = new LongbowStack(app, config.stackName, { config, migrations, bundleDir });
  const template = Template.fromStack(stack);
  const templateFile = join(outdir, "template.json");
  writeFileSync(templateFile, JSON.stringify(template.toJSON(), null, 1));
  return { app, stack, template, templateFile };
}

/** cdk-nag's AwsSolutions findings left after the acknowledgements: rule id and construct path. */
export function nagFindings(app: App): string[] {
  const report = new AwsSolutionsChecks().validateScope(app);
  return report.violations.flatMap((v) =>
    v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`),
  );
}

/**
 * Runs the idempotent venv setup (one stamp-file read once `npm run emulator:setup` ran), one
 * test file at a time: two files creating the venv at once would corrupt it.
 */
function ensureVenv(): void {
  const lock = join(tmpdir(), "longbow-venv-setup.lock");
  const deadline = Date.now() + 600_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // still held after ten minutes: a crashed run left it, go ahead
      if (Date.now() > deadline) break;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
    }
  }
  try {
    const setup = spawnSync(process.execPath, [join(root, "test/emulator/setup.mjs")], { encoding: "utf8" });
    if (setup.status !== 0) throw new Error(`emulator setup failed:\n${setup.stdout}${setup.stderr}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Runs the pinned cfn-lint from the project venv on a template file, creating the venv if needed. */
export function cfnLint(templateFile: string): { status: number | null; output: string } {
  ensureVenv();
  const res = spawnSync(
    join(root, ".venv/bin/cfn-lint"),
    // W3005: CDK's Lambda construct writes DependsOn on its role next to a GetAtt of it; harmless and not ours
    ["--ignore-checks", "W3005", "--", templateFile],
    { encoding: "utf8" },
  );
  if (res.error) throw res.error;
  return { status: res.status, output: `${res.stdout}${res.stderr}` };
}

/** The template with asset hashes masked, so the snapshot changes only when the infrastructure does. */
export function maskedTemplate(template: Template): unknown {
  return JSON.parse(JSON.stringify(template.toJSON()).replace(/[0-9a-f]{64}/g, "<asset-hash>"));
}

/** Every statement of every IAM policy attached to a role whose logical id starts with `rolePrefix`. */
export function statementsOf(template: Template, rolePrefix: string): Record<string, unknown>[] {
  const policies = template.findResources("AWS::IAM::Policy");
  return Object.values(policies)
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref.startsWith(rolePrefix)))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Record<string, unknown>[]);
}

/** The user data script of the first launch template, with CloudFormation joins flattened. */
export function userDataOf(template: Template): string {
  const lt = Object.values(template.findResources("AWS::EC2::LaunchTemplate"))[0];
  const join = lt?.Properties.LaunchTemplateData.UserData["Fn::Base64"]["Fn::Join"] as [string, unknown[]];
  return join[1].map((part) => (typeof part === "string" ? part : `{${JSON.stringify(part)}}`)).join("");
}

/**
 * A template value as text: CloudFormation joins flattened; a Ref to an SSM parameter as the
 * name it returns at deploy time, other references as `<Id>` / `<Id.Attr>` (no colons).
 */
function flattener(resources: Record<string, { Type?: string; Properties?: Record<string, unknown> }>) {
  const flatten = (value: unknown): string | undefined => {
    if (typeof value === "string") return value;
    if (typeof value !== "object" || value === null) return undefined;
    const v = value as Record<string, unknown>;
    if (typeof v.Ref === "string") {
      const r = resources[v.Ref];
      const name = r?.Type === "AWS::SSM::Parameter" ? r.Properties?.Name : undefined;
      return typeof name === "string" ? name : `<${v.Ref.replace(/::/g, ".")}>`;
    }
    if (Array.isArray(v["Fn::GetAtt"])) return `<${(v["Fn::GetAtt"] as string[]).join(".")}>`;
    if (typeof v["Fn::Sub"] === "string") {
      return v["Fn::Sub"].replace(/\$\{([^}]+)\}/g, (_, name: string) => `<${name.replace(/::/g, ".")}>`);
    }
    if (Array.isArray(v["Fn::Join"])) {
      const [sep, parts] = v["Fn::Join"] as [string, unknown[]];
      const flat = parts.map(flatten);
      return flat.every((p) => p !== undefined) ? flat.join(sep) : undefined;
    }
    return undefined;
  };
  return flatten;
}

/** Every ARN the template spells out (strings and joins), with where it is. */
export function arnsOf(template: Template): { at: string; arn: string }[] {
  const json = template.toJSON() as { Resources?: Record<string, { Type?: string }> };
  const flatten = flattener(json.Resources ?? {});
  const out: { at: string; arn: string }[] = [];
  const walk = (value: unknown, at: string) => {
    const flat = flatten(value);
    if (flat !== undefined) {
      // Fn::Sub spells pseudo parameters ${AWS::Partition}; joins resolve them to <AWS.Partition>
      const subbed = flat.replace(/\$\{AWS::(\w+)\}/g, "<AWS.$1>");
      for (const m of subbed.matchAll(/arn:[^\s"',]*/g)) out.push({ at, arn: m[0] });
      if (typeof value === "string" || (value as Record<string, unknown>)["Fn::Join"] !== undefined) return;
    }
    if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) walk(v, `${at}[${i}]`);
    } else if (typeof value === "object" && value !== null) {
      for (const [k, v] of Object.entries(value)) walk(v, `${at}.${k}`);
    }
  };
  walk(json, "template");
  return out;
}

/** What is wrong with one ARN: a literal partition, an empty path segment, too few fields. */
export function arnProblem(arn: string): string | undefined {
  const fields = arn.split(":");
  if (fields.length < 6) return "fewer than six colon-separated fields";
  if (fields[1] !== "<AWS.Partition>") return `partition '${fields[1]}' is not AWS::Partition`;
  if (!/^[a-z0-9-]+$/.test(fields[2] ?? "")) return `service '${fields[2]}' is not a service name`;
  if (fields.slice(5).join(":") === "") return "no resource";
  if (arn.includes("//")) return "an empty path segment ('//')";
  return undefined;
}
