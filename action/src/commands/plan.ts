import * as core from "@actions/core";
import { context } from "@actions/github";
import { hasErrors, loadMigrations } from "../../../worker/src/config/index.js";
import {
  assemblePlan,
  MigrationPlanBuilder,
  planMigration,
  renderPlanMarkdown,
} from "../../../worker/src/plan/index.js";
import { isAllowed } from "../allowlist.js";
import { controlPlane, sideClients } from "../aws.js";
import { ActionInputError, InvalidMigrationsError } from "../errors.js";
import { githubClient } from "../github/client.js";
import { upsertComment } from "../github/comments.js";
import { tokenLogin } from "../github/identity.js";
import { changedFiles } from "../github/pulls.js";
import { errorCount, writeSummary } from "../output/summary.js";
import { commentLimit, fitComment } from "../output/truncate.js";
import { ledgerFor } from "../pipeline.js";
import { type CommandContext, migrationsDir, repoPath, runUrl } from "./context.js";

/** The hidden first line that identifies a pull request's plan comment. */
export const planMarker = "<!-- longbow:plan -->";

interface PullRequestEvent {
  number: number;
  headRepo: string | undefined;
}

function pullRequestEvent(): PullRequestEvent {
  const pr = context.payload.pull_request;
  if (pr === undefined) {
    throw new ActionInputError(`command plan runs on pull_request events, not '${context.eventName}'`);
  }
  return { number: pr.number, headRepo: (pr.head as { repo?: { full_name?: string } }).repo?.full_name };
}

/**
 * Compares the enabled migrations a pull request adds or changes and keeps one plan comment
 * on it, edited on each push. Only for pull requests from the repository itself, and only
 * for buckets on the allowlist.
 */
export async function plan(ctx: CommandContext): Promise<void> {
  const pr = pullRequestEvent();
  const repository = ctx.env.GITHUB_REPOSITORY;
  if (pr.headRepo !== repository) {
    core.notice(`plan skipped: pull request #${pr.number} comes from ${pr.headRepo ?? "a deleted fork"}`);
    return;
  }
  const allowlist = ctx.inputs.bucketAllowlist;
  if (allowlist.length === 0) {
    throw new ActionInputError("input bucket-allowlist is empty; plan reads only buckets on the allowlist");
  }
  const { migrations, problems } = await loadMigrations(migrationsDir(ctx));
  if (hasErrors(problems)) throw new InvalidMigrationsError(errorCount(problems), "plan");

  const { octokit, repo } = githubClient(ctx.inputs.githubToken);
  const changed = new Set(await changedFiles(octokit, repo, pr.number));
  const chosen = migrations
    .filter((l) => changed.has(repoPath(ctx, l.file)) && l.migration.enabled)
    .map((l) => l.migration);
  for (const m of chosen) {
    for (const bucket of [m.source.bucket, m.destination.bucket]) {
      if (!isAllowed(bucket, allowlist)) {
        throw new ActionInputError(`migration ${m.name}: bucket '${bucket}' is not on the bucket allowlist`);
      }
    }
  }
  if (chosen.length === 0) {
    core.notice("plan: this pull request adds or changes no enabled migration");
    core.setOutput("comment-url", "");
    return;
  }

  // What each copy was made from, when the ledger is given: the plan then says what send will do.
  const copyRecords =
    ctx.inputs.tableName === undefined ? undefined : ledgerFor(ctx.inputs, controlPlane(ctx.inputs), "plan");
  const plans = [];
  for (const m of chosen) {
    try {
      const { migration, source, destination } = await sideClients(m, ctx.inputs);
      plans.push(
        await planMigration(migration, {
          source,
          destination,
          throughputBytesPerSecond: ctx.inputs.throughput,
          keepFailure: true,
          ...(copyRecords ? { copyRecords } : {}),
        }),
      );
    } catch (err) {
      // refused before any request (an endpoint not allowlisted, no credentials)
      const e = err as Error;
      const failed = new MigrationPlanBuilder(m);
      failed.fail(`${e.name}: ${e.message}`);
      plans.push(failed.build(ctx.inputs.throughput));
    }
  }
  const markdown = renderPlanMarkdown(assemblePlan(plans, ctx.inputs.throughput, new Date()));
  const pointer = `the full plan is in the job summary of ${runUrl(ctx.env)}`;
  const body = fitComment(markdown, pointer, commentLimit - planMarker.length - 1);
  const author = await tokenLogin(octokit);
  const result = await upsertComment(octokit, repo, pr.number, planMarker, body, { author });
  core.info(`plan: comment ${result.action} on #${pr.number} (${result.url})`);

  core.summary.addHeading("Longbow: plan", 2).addRaw(markdown, true);
  await writeSummary(ctx.env);
  core.setOutput("comment-url", result.url);
  const failed = plans.filter((p) => p.error !== undefined);
  if (failed.length > 0) {
    core.setFailed(`compare failed for ${failed.map((p) => p.migration).join(", ")}; see the plan comment`);
  }
}
