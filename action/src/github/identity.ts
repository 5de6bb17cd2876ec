import type { Octokit } from "./client.js";

/** The login GitHub gives every comment written with a workflow's own `GITHUB_TOKEN`. */
export const actionsBotLogin = "github-actions[bot]";

/**
 * The login of the token's own identity: who the Action's comments are authored by. A
 * personal access token (or a user-to-server token) answers `GET /user` with its user; an
 * installation token such as the workflow's `GITHUB_TOKEN` is refused there (403 "Resource not
 * accessible by integration"), and its comments are authored by `github-actions[bot]`.
 * Another app's installation token would comment as `<app-slug>[bot]`, which this cannot
 * learn from the token; such setups are not supported (its comments would not be found).
 */
export async function tokenLogin(octokit: Octokit): Promise<string> {
  try {
    const { data } = await octokit.rest.users.getAuthenticated();
    return data.login;
  } catch (err) {
    const status = (err as { status?: number }).status;
    if (status === 403 || status === 404) return actionsBotLogin;
    throw err;
  }
}
