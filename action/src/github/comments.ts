import type { Octokit, RepoRef } from "./client.js";

/** What {@link upsertComment} did. */
export interface CommentResult {
  action: "created" | "updated" | "unchanged" | "frozen";
  id: number;
  url: string;
}

export interface UpsertCommentOptions {
  /**
   * A hidden marker that, once present in the existing comment, freezes it: the comment is
   * never edited again (a finished migration's report says so once).
   * @defaultValue undefined (never frozen)
   */
  freezeMarker?: string;
}

/**
 * Keeps exactly one comment carrying `marker` on an issue or pull request: creates it the
 * first time, edits it afterwards, and leaves it alone when the body is unchanged or frozen.
 * The marker is a hidden HTML comment placed first in the body.
 */
export async function upsertComment(
  octokit: Octokit,
  repo: RepoRef,
  issueNumber: number,
  marker: string,
  body: string,
  options: UpsertCommentOptions = {},
): Promise<CommentResult> {
  const full = `${marker}\n${body}`;
  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
    ...repo,
    issue_number: issueNumber,
    per_page: 100,
  });
  // Match on the first line only, so that a comment quoting the marker is not taken over.
  const existing = comments.find((c) => c.body?.split("\n", 1)[0] === marker);
  if (existing === undefined) {
    const { data } = await octokit.rest.issues.createComment({
      ...repo,
      issue_number: issueNumber,
      body: full,
    });
    return { action: "created", id: data.id, url: data.html_url };
  }
  const result = (action: CommentResult["action"]) => ({ action, id: existing.id, url: existing.html_url });
  if (options.freezeMarker !== undefined && existing.body?.includes(options.freezeMarker)) {
    return result("frozen");
  }
  if (existing.body === full) return result("unchanged");
  await octokit.rest.issues.updateComment({ ...repo, comment_id: existing.id, body: full });
  return result("updated");
}
