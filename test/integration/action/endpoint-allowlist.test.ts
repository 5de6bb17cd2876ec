// A migration file is untrusted input: its `endpoint:` may point at a server its author runs.
// The Action signs nothing for an endpoint that is neither allowlisted nor AWS's own.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { s3For, ssmFor, uniqueBucket } from "../../emulator/clients.js";
import { actionsBot, type FakeGitHub, startFakeGitHub } from "../../support/fake-github.js";
import { bucketWith } from "../../support/s3-objects.js";
import { putKeyParameter } from "../../support/ssm.js";
import { runAction, workspaceWith } from "./run-action.js";

const { global, china } = inject("emulator");
const plantedToken = "PLANTED-SESSION-TOKEN-for-the-attacker";

interface Recorded {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

/** An "attacker" S3 endpoint on loopback that records every request and answers 200. */
async function startRecorder(): Promise<{ url: string; requests: Recorded[]; close(): Promise<void> }> {
  const requests: Recorded[] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
    req.resume();
    res.writeHead(200, { "content-type": "application/xml" }).end("<ListBucketResult/>");
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

const migration = (name: string, src: string, srcEndpoint: string, dst: string, parameter: string) =>
  [
    `name: ${name}`,
    "source:",
    `  bucket: ${src}`,
    "  region: us-east-1",
    `  endpoint: ${srcEndpoint}`,
    "destination:",
    `  bucket: ${dst}`,
    "  region: cn-northwest-1",
    `  endpoint: ${china.endpoint}`,
    `  credentials: { ssmParameter: ${parameter} }`,
    "",
  ].join("\n");

describe("the Action's endpoint allowlist", () => {
  let github: FakeGitHub;
  let attacker: Awaited<ReturnType<typeof startRecorder>>;
  const src = uniqueBucket("src-ep");
  const dst = uniqueBucket("dst-ep");
  const parameter = `/${uniqueBucket("longbow")}/china-credentials`;

  const plan = (workspace: string, allowlist: string) =>
    runAction({
      inputs: { command: "plan", "bucket-allowlist": "src-*\ndst-*", "endpoint-allowlist": allowlist },
      event: "pull_request",
      workspace,
      githubApi: github.url,
      aws: global,
      env: { AWS_SESSION_TOKEN: plantedToken },
    });

  beforeAll(async () => {
    github = await startFakeGitHub();
    github.state.pullFiles.set(7, [{ filename: "migrations/data.yaml", status: "added" }]);
    attacker = await startRecorder();
    await putKeyParameter(ssmFor(global), parameter, china);
    await bucketWith(s3For(global), src, global.region, { "a.bin": "aaaa", "same.bin": "same" });
    await bucketWith(s3For(china), dst, china.region, { "same.bin": "same" });
  });
  afterAll(async () => {
    await github.close();
    await attacker.close();
  });

  it("sends no request to an endpoint the file names that is not allowlisted, and the plan says why", async () => {
    const workspace = workspaceWith({ "data.yaml": migration("data", src, attacker.url, dst, parameter) });
    // The emulator's China endpoint is allowlisted; the attacker's is not.
    const run = await plan(workspace, china.endpoint);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(attacker.requests).toEqual([]);
    const [comment] = github.state.comments.filter((c) => c.author === actionsBot);
    expect(comment?.body).toContain("<details><summary>data: compare failed</summary>");
    expect(comment?.body).toContain(
      `EndpointNotAllowedError: migration data: source.endpoint ${attacker.url} (us-east-1) is not on the endpoint allowlist`,
    );
    expect(run.stdout).toContain("::error::compare failed for data; see the plan comment");
    for (const text of [run.stdout, run.stderr, run.summary, comment?.body ?? ""]) {
      expect(text).not.toContain(plantedToken);
      expect(text).not.toContain(global.secretAccessKey);
    }
  });

  it("uses an allowlisted endpoint the file names, however the allowlist spells it", async () => {
    github.state.comments.length = 0;
    const workspace = workspaceWith({ "data.yaml": migration("data", src, global.endpoint, dst, parameter) });
    const allowlist = `${global.endpoint.replace("http://", "HTTP://")}/\n${china.endpoint}`;
    const run = await plan(workspace, allowlist);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const [comment] = github.state.comments;
    expect(comment?.body).toMatch(/\*\*Longbow plan:\*\* 1 migration, 1 \(4 B\) to copy, 1 identical/);
    expect(attacker.requests).toEqual([]);
  });
});
