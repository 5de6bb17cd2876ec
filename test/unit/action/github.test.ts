import { getOctokit } from "@actions/github";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { upsertComment } from "../../../action/src/github/comments.js";
import { changedFiles, pullRequestForPath } from "../../../action/src/github/pulls.js";
import { type FakeGitHub, startFakeGitHub } from "../../support/fake-github.js";

const repo = { owner: "octo", repo: "longbow" };
const marker = "<!-- longbow:test -->";

describe("the GitHub REST helpers", () => {
  let github: FakeGitHub;
  let octokit: ReturnType<typeof getOctokit>;
  beforeAll(async () => {
    github = await startFakeGitHub();
    octokit = getOctokit("t", { baseUrl: github.url });
  });
  beforeEach(() => {
    github.requests.length = 0;
    github.state.comments.length = 0;
  });
  afterAll(() => github.close());

  it("creates the marked comment, edits it when the body changes, and leaves it when not", async () => {
    github.state.comments.push({ id: 1, issue: 5, body: `someone quoting\n${marker}` });
    const created = await upsertComment(octokit, repo, 5, marker, "v1");
    expect(created.action).toBe("created");
    expect(await upsertComment(octokit, repo, 5, marker, "v1")).toMatchObject({
      action: "unchanged",
      id: created.id,
    });
    expect(await upsertComment(octokit, repo, 5, marker, "v2")).toMatchObject({
      action: "updated",
      id: created.id,
    });
    expect(github.state.comments.map((c) => c.body)).toEqual([`someone quoting\n${marker}`, `${marker}\nv2`]);
    expect(github.requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.url}`)).toEqual([
      "POST /repos/octo/longbow/issues/5/comments",
      `PATCH /repos/octo/longbow/issues/comments/${created.id}`,
    ]);
  });

  it("never edits a comment carrying the freeze marker", async () => {
    github.state.comments.push({ id: 9, issue: 5, body: `${marker}\n<!-- done -->\nfinal` });
    const result = await upsertComment(octokit, repo, 5, marker, "newer", { freezeMarker: "<!-- done -->" });
    expect(result.action).toBe("frozen");
    expect(github.requests.map((r) => r.method)).toEqual(["GET"]);
  });

  it("lists the files a pull request adds or changes, not the removed ones", async () => {
    github.state.pullFiles.set(3, [
      { filename: "migrations/a.yaml", status: "added" },
      { filename: "migrations/b.yaml", status: "removed" },
      { filename: "migrations/c.yaml", status: "renamed" },
    ]);
    expect(await changedFiles(octokit, repo, 3)).toEqual(["migrations/a.yaml", "migrations/c.yaml"]);
  });

  it("finds the merged pull request behind the last commit that touched a path", async () => {
    github.state.lastCommitForPath.set("migrations/a.yaml", "c".repeat(40));
    github.state.pullsForCommit.set("c".repeat(40), [
      { number: 11, merged_at: null },
      { number: 12, merged_at: "2026-11-01T00:00:00Z" },
    ]);
    expect(await pullRequestForPath(octokit, repo, "migrations/a.yaml")).toBe(12);
    expect(await pullRequestForPath(octokit, repo, "migrations/never-committed.yaml")).toBeUndefined();
  });
});
