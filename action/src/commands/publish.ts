import * as core from "@actions/core";
import { hasErrors, loadMigrations } from "../../../worker/src/config/index.js";
import { formatChange, publishMigrations } from "../../../worker/src/publish/index.js";
import { controlPlane } from "../aws.js";
import { InvalidMigrationsError } from "../errors.js";
import { errorCount, escapeHtml, writeSummary } from "../output/summary.js";
import { type CommandContext, migrationsDir } from "./context.js";

/**
 * Publishes the enabled migrations to SSM Parameter Store (after a merge); the job summary
 * lists what was added, changed and removed. Refuses to publish a set with errors.
 */
export async function publish(ctx: CommandContext): Promise<void> {
  const { migrations, problems } = await loadMigrations(migrationsDir(ctx));
  if (hasErrors(problems)) throw new InvalidMigrationsError(errorCount(problems), "publish");
  const changes = await publishMigrations(
    migrations.map((m) => m.migration),
    controlPlane(ctx.inputs).ssm,
    { path: ctx.inputs.ssmPath },
  );
  const changed = changes.filter((c) => c.kind !== "unchanged");
  for (const c of changes) core.info(formatChange(c));
  core.summary.addHeading("Longbow: publish", 2);
  core.summary.addRaw(
    changed.length === 0
      ? `Nothing changed under <code>${escapeHtml(ctx.inputs.ssmPath)}</code>.`
      : `${changed.length} parameter(s) changed under <code>${escapeHtml(ctx.inputs.ssmPath)}</code>:`,
    true,
  );
  if (changes.length > 0) {
    summaryTable(changes.map((c) => [c.kind, c.name, c.parameter]));
  }
  await writeSummary(ctx.env);
  core.setOutput("published", changed.length);
}

function summaryTable(rows: string[][]): void {
  core.summary.addTable([
    [
      { data: "Change", header: true },
      { data: "Migration", header: true },
      { data: "Parameter", header: true },
    ],
    ...rows.map((r) => r.map(escapeHtml)),
  ]);
}
