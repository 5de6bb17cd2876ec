import { context, getOctokit } from "@actions/github";
import { ActionInputError } from "../errors.js";

/** The REST client the Action uses; its base URL follows `GITHUB_API_URL`. */
export type Octokit = ReturnType<typeof getOctokit>;

/** The repository a workflow runs in. */
export interface RepoRef {
  owner: string;
  repo: string;
}

/** A REST client for the workflow's repository, or an error naming the missing input. */
export function githubClient(token: string): { octokit: Octokit; repo: RepoRef } {
  if (token === "") {
    throw new ActionInputError("input github-token is empty; plan and report need it to comment");
  }
  return { octokit: getOctokit(token), repo: context.repo };
}
