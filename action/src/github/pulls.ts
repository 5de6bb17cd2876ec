import type { Octokit, RepoRef } from "./client.js";

/**
 * Files a pull request adds or changes (not the ones it removes), as repository paths.
 * Paginated: the API returns at most 3,000 files per pull request.
 */
export async function changedFiles(octokit: Octokit, repo: RepoRef, pullNumber: number): Promise<string[]> {
  const files = await octokit.paginate(octokit.rest.pulls.listFiles, {
    ...repo,
    pull_number: pullNumber,
    per_page: 100,
  });
  return files.filter((f) => f.status !== "removed").map((f) => f.filename);
}

/**
 * The pull request that last added or changed `path` on the default branch: the newest
 * commit touching the path, then the pull requests associated with that commit (a merge or
 * squash commit points back at its pull request). Prefers a merged one.
 */
export async function pullRequestForPath(
  octokit: Octokit,
  repo: RepoRef,
  path: string,
): Promise<number | undefined> {
  const { data: commits } = await octokit.rest.repos.listCommits({ ...repo, path, per_page: 1 });
  const sha = commits[0]?.sha;
  if (sha === undefined) return undefined;
  const { data: pulls } = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({
    ...repo,
    commit_sha: sha,
  });
  return (pulls.find((p) => p.merged_at !== null && p.merged_at !== undefined) ?? pulls[0])?.number;
}
