import { afterAll, describe, expect, it } from "vitest";
import { startFakeGitHub } from "../../support/fake-github.js";
import { migrationYaml } from "./migrations.js";
import { runAction, workspaceWith } from "./run-action.js";

const github = await startFakeGitHub();
afterAll(() => github.close());

describe("the Action's validate command", () => {
  it("annotates every problem at its file, line and column and fails the step", async () => {
    const files: Record<string, string> = {
      "photos.yaml": migrationYaml("photos", "global-photos", "china-photos"),
      "bad.yaml": migrationYaml("bad", "global-bad", "china-bad").replace(
        "  region: us-east-1\n",
        "  region: us-east-1\n  colour: red\n",
      ),
      "outside.yaml": migrationYaml("outside", "somebody-elses-bucket", "china-outside"),
    };
    // More broken files than GitHub shows annotations for, to prove the summary lists them all.
    for (let i = 0; i < 11; i++)
      files[`typo-${i}.yaml`] = migrationYaml(`typo-${i}`, "global-x", "china-x").replace("name:", "nmae:");
    const run = await runAction({
      inputs: { command: "validate", "bucket-allowlist": "global-*\nchina-*" },
      event: "pull_request",
      workspace: workspaceWith(files),
      githubApi: github.url,
    });

    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      "::error title=Longbow migration,file=migrations/bad.yaml,line=5,col=3::source.colour: unknown key 'colour'",
    );
    expect(run.stdout).toContain(
      "::error title=Longbow migration,file=migrations/outside.yaml,line=3,col=11::source.bucket: bucket 'somebody-elses-bucket' is not on the bucket allowlist",
    );
    expect(run.stdout).not.toContain("file=migrations/photos.yaml");
    for (let i = 0; i < 11; i++) expect(run.summary).toContain(`migrations/typo-${i}.yaml:1:1`);
    expect(run.summary).toContain("migrations/outside.yaml:3:11");
    // bad: 1, outside: 1, each typo file: the unknown key and the missing `name`
    expect(run.outputs.problems).toBe("24");
    expect(run.stdout.match(/^::error title=Longbow migration,file=/gm)).toHaveLength(24);
    expect(github.requests).toEqual([]);
  });

  it("passes valid files without touching AWS or GitHub", async () => {
    const run = await runAction({
      inputs: { command: "validate", "bucket-allowlist": "global-photos, china-photos" },
      event: "pull_request_fork",
      workspace: workspaceWith({ "photos.yaml": migrationYaml("photos", "global-photos", "china-photos") }),
      githubApi: github.url,
    });
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain("::error");
    expect(run.summary).toContain("All 1 migration file(s) are valid.");
    expect(run.outputs.problems).toBe("0");
  });
});
