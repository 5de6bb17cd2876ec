import { getOctokit } from "@actions/github";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { upsertComment } from "../../../action/src/github/comments.js";
import { actionsBotLogin, tokenLogin } from "../../../action/src/github/identity.js";
import { changedFiles, pullRequestForPath } from "../../../action/src/github/pulls.js";
import { actionsBot, type FakeGitHub, startFakeGitHub } from "../../support/fake-github.js";

const repo = { owner: "octo", repo: "longbow" };
const marker = "<!-- longbow:test -->";
const author = actionsBot;

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
    github.state.comments.push({ id: 1, issue: 5, body: `someone quoting\n${marker}`, author: actionsBot });
    const created = await upsertComment(octokit, repo, 5, marker, "v1", { author });
    expect(created.action).toBe("created");
    expect(await upsertComment(octokit, repo, 5, marker, "v1", { author })).toMatchObject({
      action: "unchanged",
      id: created.id,
    });
    expect(await upsertComment(octokit, repo, 5, marker, "v2", { author })).toMatchObject({
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
    github.state.comments.push({ id: 9, issue: 5, body: `${marker}\n<!-- done -->\nfinal`, author });
    const result = await upsertComment(octokit, repo, 5, marker, "newer", {
      author,
      freezeMarker: "<!-- done -->",
    });
    expect(result.action).toBe("frozen");
    expect(github.requests.map((r) => r.method)).toEqual(["GET"]);
  });

  it("never takes over a comment by someone else that carries the marker", async () => {
    const forged = `${marker}\nPlan OK: 0 objects, safe to merge`;
    github.state.comments.push({ id: 20, issue: 5, body: forged, author: "mallory" });
    const result = await upsertComment(octokit, repo, 5, marker, "the real plan", { author });
    expect(result.action).toBe("created");
    expect(github.state.comments.find((c) => c.id === 20)?.body).toBe(forged);
    expect(github.state.comments.find((c) => c.id === result.id)).toMatchObject({ author: actionsBot });
    // and the next run edits its own comment, not the forged one
    await upsertComment(octokit, repo, 5, marker, "the next plan", { author });
    expect(github.state.comments.find((c) => c.id === 20)?.body).toBe(forged);
    expect(github.state.comments.find((c) => c.id === result.id)?.body).toBe(`${marker}\nthe next plan`);
  });

  it("is not frozen by someone else's finished marker, nor by one quoted further down", async () => {
    github.state.comments.push({
      id: 30,
      issue: 5,
      body: `${marker}\n<!-- done -->\nfake`,
      author: "mallory",
    });
    const first = await upsertComment(octokit, repo, 5, marker, "progress: key `<!-- done -->`", {
      author,
      freezeMarker: "<!-- done -->",
    });
    expect(first.action).toBe("created");
    const second = await upsertComment(octokit, repo, 5, marker, "more progress\n<!-- done -->", {
      author,
      freezeMarker: "<!-- done -->",
    });
    expect(second).toMatchObject({ action: "updated", id: first.id });
  });

  it("knows the token's identity: the user of a personal token, else the Actions bot", async () => {
    expect(await tokenLogin(octokit)).toBe(actionsBotLogin);
    github.state.users.set("ghp_personal", "longbow-ops");
    const personal = getOctokit("ghp_personal", { baseUrl: github.url });
    expect(await tokenLogin(personal)).toBe("longbow-ops");
    const created = await upsertComment(personal, repo, 6, marker, "v1", { author: "longbow-ops" });
    expect(github.state.comments.find((c) => c.id === created.id)?.author).toBe("longbow-ops");
    expect(await upsertComment(personal, repo, 6, marker, "v2", { author: "longbow-ops" })).toMatchObject({
      action: "updated",
      id: created.id,
    });
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
