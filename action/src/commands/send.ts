import * as core from "@actions/core";
import { assemblePlan, renderPlanMarkdown } from "../../../worker/src/plan/index.js";
import { loadPublishedMigrations } from "../../../worker/src/publish/index.js";
import { formatBytes } from "../../../worker/src/report/index.js";
import { type SendResult, sendMigration } from "../../../worker/src/send/index.js";
import { resolveSettings } from "../../../worker/src/settings/index.js";
import { controlPlane, sideClients } from "../aws.js";
import { escapeHtml, writeSummary } from "../output/summary.js";
import { ledgerFor, requireQueue } from "../pipeline.js";
import type { CommandContext } from "./context.js";

const verdicts = ["new", "changed", "identical", "ignored", "extra"] as const;

/**
 * Compare-and-send for every enabled migration of the published set (what the workers see):
 * new and changed objects go to the queue, recorded in the ledger first. A migration that
 * fails does not stop the others; the step fails at the end. The job summary has one row per
 * migration.
 */
export async function send(ctx: CommandContext): Promise<void> {
  const aws = controlPlane(ctx.inputs);
  const queue = requireQueue(ctx.inputs, aws, "send");
  const ledger = ledgerFor(ctx.inputs, aws, "send");
  const migrations = (await loadPublishedMigrations(aws.ssm, ctx.inputs.ssmPath)).filter((m) => m.enabled);
  const results: SendResult[] = [];
  const failures: { migration: string; message: string }[] = [];
  for (const m of migrations) {
    try {
      const { migration, source, destination } = await sideClients(m, ctx.inputs);
      const result = await sendMigration({
        migration,
        source,
        destination,
        queue,
        ledger,
        throughputBytesPerSecond: ctx.inputs.throughput * 1_000_000,
        concurrency: resolveSettings(process.env).sendConcurrency,
      });
      core.info(`send ${m.name}: ${result.sent} object(s) queued, ${result.alreadyPending} already pending`);
      results.push(result);
    } catch (err) {
      const e = err as Error;
      failures.push({ migration: m.name, message: `${e.name}: ${e.message}` });
      core.error(`send ${m.name} failed: ${e.name}: ${e.message}`);
    }
  }

  core.summary.addHeading("Longbow: send", 2);
  core.summary.addRaw(
    migrations.length === 0
      ? `No enabled migration is published under <code>${escapeHtml(ctx.inputs.ssmPath)}</code>.`
      : `${results.reduce((n, r) => n + r.sent, 0)} object(s) queued for ${results.length} migration(s).`,
    true,
  );
  if (results.length > 0) {
    const header = ["migration", ...verdicts, "queued", "queued bytes", "already pending"];
    core.summary.addTable([
      header.map((data) => ({ data, header: true })),
      ...results.map((r) => [
        escapeHtml(r.migration),
        ...verdicts.map((v) => String(r.compared[v])),
        String(r.sent),
        formatBytes(r.sentBytes),
        String(r.alreadyPending),
      ]),
    ]);
  }
  if (results.length > 0) {
    const plan = assemblePlan(
      results.map((r) => r.plan),
      ctx.inputs.throughput * 1_000_000,
      new Date(),
    );
    core.summary.addRaw(renderPlanMarkdown(plan), true);
  }
  if (failures.length > 0) {
    core.summary.addTable([
      [
        { data: "failed migration", header: true },
        { data: "reason", header: true },
      ],
      ...failures.map((f) => [escapeHtml(f.migration), escapeHtml(f.message)]),
    ]);
  }
  await writeSummary(ctx.env);
  core.setOutput(
    "sent",
    results.reduce((n, r) => n + r.sent, 0),
  );
  if (failures.length > 0) {
    core.setFailed(`send failed for ${failures.map((f) => f.migration).join(", ")}; see the job summary`);
  }
}
