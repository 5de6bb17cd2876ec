import * as core from "@actions/core";
import { loadMigrations } from "../../../worker/src/config/index.js";
import {
  buildReport,
  renderMigrationMarkdown,
  renderReportMarkdown,
} from "../../../worker/src/report/index.js";
import { controlPlane } from "../aws.js";
import { githubClient } from "../github/client.js";
import { upsertComment } from "../github/comments.js";
import { tokenLogin } from "../github/identity.js";
import { pullRequestForPath } from "../github/pulls.js";
import { writeSummary } from "../output/summary.js";
import { commentLimit, fitComment } from "../output/truncate.js";
import { ledgerFor, queueFor } from "../pipeline.js";
import { type CommandContext, migrationsDir, repoPath, runUrl } from "./context.js";

/** Once in a report comment, the comment is never edited again. */
export const finishedMarker = "<!-- longbow:finished -->";

/** The hidden first line that identifies a migration's report comment. */
export const reportMarker = (migration: string) => `<!-- longbow:report:${migration} -->`;

/**
 * Reads the ledger and the queue, and keeps one report comment per migration on the pull
 * request that last added or changed its file. A finished migration's comment says so once
 * and is frozen. The whole report goes to the job summary.
 */
export async function report(ctx: CommandContext): Promise<void> {
  const { migrations } = await loadMigrations(migrationsDir(ctx));
  const aws = controlPlane(ctx.inputs);
  const ledger = ledgerFor(ctx.inputs, aws, "report");
  const queue = queueFor(ctx.inputs, aws);
  // Only migrations that were ever sent: a file nobody sent yet has nothing to report.
  const known = new Set(await ledger.migrations());
  const full = await buildReport({
    ledger,
    ...(queue === undefined ? {} : { queue }),
    migrations: migrations.map((m) => m.migration.name).filter((name) => known.has(name)),
  });
  const { octokit, repo } = githubClient(ctx.inputs.githubToken);
  const fileOf = new Map(migrations.map((m) => [m.migration.name, repoPath(ctx, m.file)]));
  let reported = 0;
  let author: string | undefined;
  for (const m of full.migrations) {
    const file = fileOf.get(m.migration) as string;
    const pull = await pullRequestForPath(octokit, repo, file);
    if (pull === undefined) {
      core.notice(`no pull request found for ${file}; report for ${m.migration} is only in the job summary`);
      continue;
    }
    // A migration with nothing recorded yet is not finished, only not started.
    const finished = m.finished && m.objects.total > 0;
    // First, so that truncating a long body can never drop it.
    const body = `${finished ? `${finishedMarker}\n` : ""}${renderMigrationMarkdown(m, full)}`;
    const marker = reportMarker(m.migration);
    const pointer = `the full report is in the job summary of ${runUrl(ctx.env)}`;
    const fitted = fitComment(body, pointer, commentLimit - marker.length - 1);
    author ??= await tokenLogin(octokit);
    const result = await upsertComment(octokit, repo, pull, marker, fitted, {
      author,
      freezeMarker: finishedMarker,
    });
    core.info(`report ${m.migration}: comment ${result.action} on #${pull} (${result.url})`);
    if (result.action === "created" || result.action === "updated") reported++;
  }
  core.summary.addHeading("Longbow: report", 2).addRaw(renderReportMarkdown(full), true);
  await writeSummary(ctx.env);
  core.setOutput("reported", reported);
}
