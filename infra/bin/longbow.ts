// The CDK app: `npm run synth` (or `npx cdk synth` with cdk.json) synthesizes offline into cdk.out/,
// or into `npm run synth -- --output DIR` (the CDK CLI sets CDK_OUTDIR instead).
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { formatProblem, hasErrors, loadMigrations } from "../../worker/src/config/index.js";
import { cdkContext } from "../lib/cdk-context.js";
import { type LongbowConfigInput, resolveConfig } from "../lib/config.js";
import { LongbowStack } from "../lib/longbow-stack.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
/** `--output DIR` (or `-o DIR`) as the CDK CLI spells it; else CDK_OUTDIR (set by the CDK CLI); else cdk.out/. */
function outputDir(args: readonly string[]): string {
  const at = args.findIndex((a) => a === "--output" || a === "-o");
  const given =
    at >= 0 ? args[at + 1] : args.find((a) => a.startsWith("--output="))?.slice("--output=".length);
  if (at >= 0 && (given === undefined || given.startsWith("-"))) throw new Error("--output needs a folder");
  return resolve(given ?? process.env.CDK_OUTDIR ?? join(root, "cdk.out"));
}

const app = new App({ outdir: outputDir(process.argv.slice(2)), context: cdkContext() });

/** Context `longbow` (an object, or JSON text from `cdk -c`) wins over the file named by context `configFile`. */
function readConfigInput(): LongbowConfigInput {
  const inline = app.node.tryGetContext("longbow") as LongbowConfigInput | string | undefined;
  if (typeof inline === "string") return JSON.parse(inline) as LongbowConfigInput;
  if (inline !== undefined) return inline;
  const file = resolve(
    root,
    (app.node.tryGetContext("configFile") as string | undefined) ?? "infra/longbow.config.json",
  );
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as LongbowConfigInput) : {};
}

const config = resolveConfig(readConfigInput());
const bundleDir = resolve(root, config.workerBundleDir);
if (!existsSync(join(bundleDir, "longbow.mjs"))) {
  throw new Error(`no worker bundle in ${bundleDir}: run \`npm run build\` first (workerBundleDir)`);
}
if (config.lambdaWorker.enabled && !existsSync(join(bundleDir, "lambda.mjs"))) {
  throw new Error(`no Lambda handler (lambda.mjs) in ${bundleDir}: rebuild with \`npm run build\``);
}
const migrationsDir = resolve(root, config.migrationsDir);
const loaded = await loadMigrations(migrationsDir);
if (hasErrors(loaded.problems)) {
  throw new Error(
    `migrations in ${migrationsDir} have errors:\n${loaded.problems.map(formatProblem).join("\n")}`,
  );
}

new LongbowStack(app, config.stackName, {
  config,
  migrations: loaded.migrations.map((m) => m.migration),
  bundleDir,
  description: "Longbow: S3 transfers between partitions (worker fleet, queue, ledger, dashboard)",
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
const assembly = app.synth();
for (const stack of assembly.stacks)
  process.stderr.write(`synth: ${stack.stackName} -> ${join(assembly.directory, stack.templateFile)}\n`);
// What the validation plugins (cdk-nag's AwsSolutions checks) reported, as CDK wrote it.
const reportFile = join(assembly.directory, "validation-report.json");
if (existsSync(reportFile)) {
  const report = JSON.parse(readFileSync(reportFile, "utf8")) as {
    pluginReports?: { violations?: unknown[] }[];
  };
  const violations = (report.pluginReports ?? []).reduce((n, p) => n + (p.violations?.length ?? 0), 0);
  process.stderr.write(
    `synth: cdk-nag AwsSolutions: ${violations} unacknowledged finding(s) (${reportFile})\n`,
  );
}
