import { createServer, type IncomingMessage, type Server } from "node:http";
import { listenOnLoopback } from "./loopback-http.js";

/** One request the fake received, as the Action sent it. */
export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. `/repos/o/r/commits?path=migrations%2Fa.yaml&per_page=1`. */
  url: string;
  /** Parsed JSON body, or undefined. */
  body: unknown;
  authorization: string | undefined;
}

export interface FakeComment {
  id: number;
  issue: number;
  body: string;
  /** Login of the comment's author, e.g. `github-actions[bot]` or a user's login. */
  author: string;
}

/** The login GitHub gives comments made with a workflow's `GITHUB_TOKEN`. */
export const actionsBot = "github-actions[bot]";

/** What the fake knows about the repository; tests fill it before running the Action. */
export interface FakeRepoState {
  /** Pull request number → files it touches. */
  pullFiles: Map<number, { filename: string; status: "added" | "modified" | "removed" | "renamed" }[]>;
  /** Path → sha of the newest commit touching it. */
  lastCommitForPath: Map<string, string>;
  /** Commit sha → associated pull requests. */
  pullsForCommit: Map<string, { number: number; merged_at: string | null }[]>;
  comments: FakeComment[];
  /**
   * Tokens of users (personal access tokens) → their login. Any other token acts as an
   * installation token (a workflow's `GITHUB_TOKEN`): `GET /user` refuses it with 403, as
   * GitHub does, and its comments are authored by {@link actionsBot}.
   */
  users: Map<string, string>;
}

export interface FakeGitHub {
  /** Base URL for `GITHUB_API_URL`. */
  url: string;
  requests: RecordedRequest[];
  state: FakeRepoState;
  close(): Promise<void>;
}

const commentUrl = (issue: number, id: number) =>
  `https://github.example/o/r/pull/${issue}#issuecomment-${id}`;

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text === "" ? undefined : JSON.parse(text);
}

/**
 * A local stand-in for the few GitHub REST endpoints the Action calls, for
 * `owner/repo` = any. Records every request; answers unknown routes with 404 so a new,
 * unplanned call fails the test loudly. Comments have authors: the identity of the token
 * that wrote them (see {@link FakeRepoState.users}).
 */
export async function startFakeGitHub(): Promise<FakeGitHub> {
  const state: FakeRepoState = {
    pullFiles: new Map(),
    lastCommitForPath: new Map(),
    pullsForCommit: new Map(),
    comments: [],
    users: new Map(),
  };
  const requests: RecordedRequest[] = [];
  let nextId = 1000;

  const user = (login: string) => ({ login, type: login.endsWith("[bot]") ? "Bot" : "User" });
  const asJson = (c: FakeComment) => ({
    id: c.id,
    body: c.body,
    user: user(c.author),
    html_url: commentUrl(c.issue, c.id),
  });
  const route = (
    method: string,
    path: string,
    query: URLSearchParams,
    body: unknown,
    token: string,
  ): [number, unknown] => {
    const login = state.users.get(token);
    if (method === "GET" && path === "/user") {
      return login === undefined
        ? [403, { message: "Resource not accessible by integration" }]
        : [200, user(login)];
    }
    let m = /^\/repos\/[^/]+\/[^/]+\/pulls\/(\d+)\/files$/.exec(path);
    if (method === "GET" && m) {
      const page = Number(query.get("page") ?? "1");
      return [200, page === 1 ? (state.pullFiles.get(Number(m[1])) ?? []) : []];
    }
    m = /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/.exec(path);
    if (m) {
      const issue = Number(m[1]);
      if (method === "GET") {
        const page = Number(query.get("page") ?? "1");
        const mine = state.comments.filter((c) => c.issue === issue);
        return [200, page === 1 ? mine.map(asJson) : []];
      }
      if (method === "POST") {
        const comment = {
          id: nextId++,
          issue,
          body: String((body as { body: unknown }).body),
          author: login ?? actionsBot,
        };
        state.comments.push(comment);
        return [201, asJson(comment)];
      }
    }
    m = /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/.exec(path);
    if (method === "PATCH" && m) {
      const comment = state.comments.find((c) => c.id === Number(m?.[1]));
      if (comment === undefined) return [404, { message: "Not Found" }];
      // As on GitHub, a token with write access may edit anyone's comment: tests assert it does not.
      comment.body = String((body as { body: unknown }).body);
      return [200, asJson(comment)];
    }
    m = /^\/repos\/[^/]+\/[^/]+\/commits\/([0-9a-f]+)\/pulls$/.exec(path);
    if (method === "GET" && m) return [200, state.pullsForCommit.get(m[1] ?? "") ?? []];
    if (method === "GET" && /^\/repos\/[^/]+\/[^/]+\/commits$/.test(path)) {
      const sha = state.lastCommitForPath.get(query.get("path") ?? "");
      return [200, sha === undefined ? [] : [{ sha }]];
    }
    return [404, { message: `fake GitHub: no route for ${method} ${path}` }];
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://fake");
      const body = await readBody(req);
      requests.push({
        method: req.method ?? "GET",
        url: `${url.pathname}${url.search}`,
        body,
        authorization: req.headers.authorization,
      });
      const token = (req.headers.authorization ?? "").replace(/^(token|bearer) /i, "");
      const [status, payload] = route(req.method ?? "GET", url.pathname, url.searchParams, body, token);
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(payload));
    })();
  });
  return {
    url: await listenOnLoopback(server),
    requests,
    state,
    close: () => new Promise<void>((ok, fail) => server.close((e) => (e ? fail(e) : ok()))),
  };
}
