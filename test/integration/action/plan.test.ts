import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { s3For, ssmFor, uniqueBucket } from "../../emulator/clients.js";
import type { EmulatorSide } from "../../emulator/emulator.js";
import { actionsBot, type FakeGitHub, startFakeGitHub } from "../../support/fake-github.js";
import { bucketWith as bucketIn } from "../../support/s3-objects.js";
import { putKeyParameter } from "../../support/ssm.js";
import { migrationYaml } from "./migrations.js";
import { type ActionRun, runAction, workspaceWith } from "./run-action.js";

const { global, china } = inject("emulator");
const plantedToken = "PLANTED-SESSION-TOKEN-must-never-be-printed";

const bucketWith = (side: EmulatorSide, name: string, objects: Record<string, string>) =>
  bucketIn(s3For(side), name, side.region, objects);

describe("the Action's plan command", () => {
  let github: FakeGitHub;
  const photosSrc = uniqueBucket("src-photos");
  const photosDst = uniqueBucket("dst-photos");
  const logsSrc = uniqueBucket("src-logs");
  const logsDst = uniqueBucket("dst-logs");
  const parameter = `/${uniqueBucket("longbow")}/china-credentials`;
  const creds = `credentials:\n    ssmParameter: ${parameter}`;
  const workspace = workspaceWith({
    "photos.yaml": migrationYaml("photos", photosSrc, photosDst, creds),
    "untouched.yaml": migrationYaml("untouched", photosSrc, uniqueBucket("dst-other"), creds),
  });
  /** Every run, so the last test can search all their output for a credential. */
  const runs: ActionRun[] = [];
  const plan = async (event: "pull_request" | "pull_request_fork" = "pull_request") => {
    const run = await runAction({
      inputs: {
        command: "plan",
        "bucket-allowlist": "src-*\ndst-*",
        "global-endpoint": global.endpoint,
        "china-endpoint": china.endpoint,
      },
      event,
      workspace,
      githubApi: github.url,
      aws: global,
      env: { AWS_SESSION_TOKEN: plantedToken },
    });
    runs.push(run);
    return run;
  };
  /** What every plan of pull request 7 reads before it writes its comment. */
  const reads = [
    "GET /repos/octo/longbow/pulls/7/files?per_page=100",
    "GET /user",
    "GET /repos/octo/longbow/issues/7/comments?per_page=100",
  ];

  beforeAll(async () => {
    github = await startFakeGitHub();
    github.state.pullFiles.set(7, [
      { filename: "migrations/photos.yaml", status: "added" },
      { filename: "README.md", status: "modified" },
    ]);
    // The China side's key lives in the control plane's SSM, as in the original Longbow.
    await putKeyParameter(ssmFor(global), parameter, china, { region: china.region });
    await bucketWith(global, photosSrc, { "a.jpg": "aaaa", "b.jpg": "bbbbbbbb", "same.jpg": "same" });
    await bucketWith(china, photosDst, { "same.jpg": "same", "only-here.jpg": "x" });
    await bucketWith(global, logsSrc, { "1.log": "one" });
    await bucketWith(china, logsDst, {});
  });
  afterAll(() => github.close());

  const forged = "<!-- longbow:plan -->\n**Longbow plan:** 0 objects, safe to merge";
  const ours = () => github.state.comments.filter((c) => c.author === actionsBot);

  it("comments the plan of the changed migrations once, then edits that comment on the next push", async () => {
    // Someone else's comment with the plan's marker is never taken for the plan comment.
    github.state.comments.push({ id: 1, issue: 7, body: forged, author: "mallory" });
    const first = await plan();
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(github.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      ...reads,
      "POST /repos/octo/longbow/issues/7/comments",
    ]);
    const [comment] = ours();
    const lines = comment?.body.split("\n") ?? [];
    expect(lines[0]).toBe("<!-- longbow:plan -->");
    expect(lines[1]).toMatch(
      /^\*\*Longbow plan:\*\* 1 migration, 2 \(12 B\) to copy, 1 identical, 0 ignored, 1 extra; ETA/,
    );
    expect(comment?.body).toContain("<details><summary>photos:");
    // the estimate beside the ETA, and its fold; the emulator is an S3-compatible endpoint, unpriced
    expect(lines[1]).toMatch(/; estimated cost under USD 0\.01, partly unpriced$/);
    expect(comment?.body).toContain(
      "<details><summary>Estimated cost: under USD 0.01, partly unpriced (an estimate from list prices as of",
    );
    expect(comment?.body).toContain(
      "- `photos: S3 requests and data transfer at a custom endpoint (an S3-compatible store this price list does not know)`",
    );
    expect(comment?.body).toContain(
      "| SQS requests | `us-east-1` | 5 | USD 0.4 per million | under USD 0.01 |",
    );
    expect(comment?.body).not.toContain("untouched");
    expect(first.outputs["comment-url"]).toBe(
      `https://github.example/o/r/pull/7#issuecomment-${comment?.id}`,
    );
    expect(first.summary).toContain("Longbow plan:");

    // The next push adds a second migration.
    writeFileSync(join(workspace, "migrations", "logs.yaml"), migrationYaml("logs", logsSrc, logsDst, creds));
    github.state.pullFiles.get(7)?.push({ filename: "migrations/logs.yaml", status: "added" });
    github.requests.length = 0;
    const second = await plan();
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(github.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      ...reads,
      `PATCH /repos/octo/longbow/issues/comments/${comment?.id}`,
    ]);
    expect(ours()).toHaveLength(1);
    expect(github.state.comments.find((c) => c.id === 1)?.body).toBe(forged);
    expect(comment?.body).toMatch(
      /^<!-- longbow:plan -->\n\*\*Longbow plan:\*\* 2 migrations, 3 \(15 B\) to copy/,
    );
  });

  it("does nothing for a pull request from a fork", async () => {
    github.requests.length = 0;
    const run = await plan("pull_request_fork");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("::notice::plan skipped: pull request #8 comes from stranger/longbow");
    expect(github.requests).toEqual([]);
  });

  it("fails, reading nothing, when a changed migration names a bucket outside the allowlist", async () => {
    writeFileSync(
      join(workspace, "migrations", "logs.yaml"),
      migrationYaml("logs", "not-allowed-bucket", logsDst, creds),
    );
    github.requests.length = 0;
    const run = await plan();
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      "::error::migration logs: bucket 'not-allowed-bucket' is not on the bucket allowlist",
    );
    expect(github.requests.map((r) => r.method)).toEqual(["GET"]);
  });

  it("reports a failed compare in the same comment and fails the step", async () => {
    const ghost = uniqueBucket("src-ghost");
    writeFileSync(join(workspace, "migrations", "logs.yaml"), migrationYaml("logs", ghost, logsDst, creds));
    github.requests.length = 0;
    const run = await plan();
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("::error::compare failed for logs; see the plan comment");
    expect(ours()).toHaveLength(1);
    expect(ours()[0]?.body).toContain("<details><summary>logs: compare failed</summary>");
    expect(ours()[0]?.body).toContain("**1 failed**");
  });

  it("never prints or posts a credential", () => {
    expect(runs.length).toBe(5);
    const texts = [
      ...runs.flatMap((r) => [r.stdout, r.stderr, r.summary]),
      ...github.state.comments.map((c) => c.body),
    ];
    for (const secret of [china.secretAccessKey, global.secretAccessKey, plantedToken]) {
      for (const text of texts) expect(text).not.toContain(secret);
    }
  });
});
