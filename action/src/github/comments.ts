import type { Octokit, RepoRef } from "./client.js";

/** What {@link upsertComment} did. */
export interface CommentResult {
  action: "created" | "updated" | "unchanged" | "frozen";
  id: number;
  url: string;
}

export interface UpsertCommentOptions {
  /**
   * Login of the token's own identity (see `tokenLogin`): only a comment by this author is
   * ever taken as the sticky comment, edited or read for the freeze marker. Anyone else's
   * comment carrying the marker is left alone, so it can neither be taken over nor freeze
   * the real one.
   */
  author: string;
  /**
   * A hidden marker that, once it is the line right after `marker` in the existing comment,
   * freezes it: the comment is never edited again (a finished migration's report says so once).
   * Callers put it first in `body`.
   * @defaultValue undefined (never frozen)
   */
  freezeMarker?: string;
}

/**
 * Keeps exactly one comment carrying `marker` on an issue or pull request: creates it the
 * first time, edits it afterwards, and leaves it alone when the body is unchanged or frozen.
 * The marker is a hidden HTML comment placed first in the body; a comment is the sticky one
 * only when its first line is the marker and its author is `options.author`.
 */
export async function upsertComment(
  octokit: Octokit,
  repo: RepoRef,
  issueNumber: number,
  marker: string,
  body: string,
  options: UpsertCommentOptions,
): Promise<CommentResult> {
  const full = `${marker}\n${body}`;
  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
    ...repo,
    issue_number: issueNumber,
    per_page: 100,
  });
  // Match on the first line only, so that a comment quoting the marker is not taken over, and
  // on the author, so that nobody else's comment is (GitHub lets write access edit any comment).
  const author = options.author.toLowerCase();
  const existing = comments.find(
    (c) => c.user?.login.toLowerCase() === author && c.body?.split("\n", 1)[0] === marker,
  );
  if (existing === undefined) {
    const { data } = await octokit.rest.issues.createComment({
      ...repo,
      issue_number: issueNumber,
      body: full,
    });
    return { action: "created", id: data.id, url: data.html_url };
  }
  const result = (action: CommentResult["action"]) => ({ action, id: existing.id, url: existing.html_url });
  // Only the line right after the marker counts: a key or reason quoting the freeze marker
  // further down must not freeze a report.
  if (options.freezeMarker !== undefined && existing.body?.split("\n", 2)[1] === options.freezeMarker) {
    return result("frozen");
  }
  if (existing.body === full) return result("unchanged");
  await octokit.rest.issues.updateComment({ ...repo, comment_id: existing.id, body: full });
  return result("updated");
}
