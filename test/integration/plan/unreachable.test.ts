// `longbow plan` against endpoints that never answer: one that accepts connections and stays
// silent, and a port nothing listens on. Both fail with a message naming the endpoint and what
// timed out, bounded by the test's own timeout (the documented settings keep it short).
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runLongbow } from "../../support/cli.js";

function migrationsFor(endpoint: string): string {
  const dir = mkdtempSync(join(tmpdir(), "longbow-unreachable-"));
  mkdirSync(join(dir, "migrations"));
  writeFileSync(
    join(dir, "migrations", "far.yaml"),
    [
      "name: far",
      "source:",
      "  bucket: far-source",
      "  region: us-east-1",
      `  endpoint: ${endpoint}`,
      "destination:",
      "  bucket: far-destination",
      "  prefix: copy/",
      "  region: us-east-1",
      `  endpoint: ${endpoint}`,
      "",
    ].join("\n"),
  );
  return join(dir, "migrations");
}

const env = {
  AWS_ACCESS_KEY_ID: "AKIDUNREACHABLE",
  AWS_SECRET_ACCESS_KEY: "unreachable-secret",
  AWS_REGION: "us-east-1",
  LONGBOW_LOG_LEVEL: "info",
  // documented settings (README, Performance and tuning): short, so the test is too
  LONGBOW_CONNECT_TIMEOUT_MS: "1000",
  LONGBOW_FIRST_BYTE_TIMEOUT_MS: "1500",
};

async function plan(dir: string) {
  const p = runLongbow(["plan", "--dir", dir], env);
  const code = await p.exited;
  return { code, stdout: p.stdout(), stderr: p.stderr(), lines: p.lines() };
}

describe("longbow plan against an endpoint that never answers", () => {
  let silent: Server;
  const held: Socket[] = [];
  let silentUrl: string;
  let refusedUrl: string;

  beforeAll(async () => {
    silent = createServer((socket) => {
      held.push(socket);
      socket.on("data", () => {});
    });
    await new Promise<void>((ok) => silent.listen(0, "127.0.0.1", ok));
    silentUrl = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
    const probe = createServer();
    await new Promise<void>((ok) => probe.listen(0, "127.0.0.1", ok));
    refusedUrl = `http://127.0.0.1:${(probe.address() as { port: number }).port}`;
    await new Promise<void>((ok) => probe.close(() => ok()));
  });
  afterAll(async () => {
    for (const s of held) s.destroy();
    await new Promise<void>((ok) => silent.close(() => ok()));
  });

  it("fails when a silent endpoint sends no answer, naming it and the timeout", async () => {
    const run = await plan(migrationsFor(silentUrl));
    expect(run.code, run.stderr).toBe(1);
    const message = `EndpointUnreachableError: S3 endpoint ${silentUrl} (us-east-1) accepted the connection but sent no answer within 1.5 s (first-byte timeout, LONGBOW_FIRST_BYTE_TIMEOUT_MS); gave up after 3 attempts`;
    expect(run.stdout).toContain("<details><summary>far: compare failed</summary>");
    expect(run.stdout).toContain(message);
    // the wait was not silent: each retry and long wait was logged at info
    const infos = run.lines.filter((l) => l.level === "info").map((l) => l.msg);
    expect(infos).toContain("S3 endpoint did not answer; trying again");
    expect(infos).toContain("waiting for an S3 endpoint that has not answered yet");
    expect(held.length).toBeGreaterThanOrEqual(3);
    expect(run.stdout + run.stderr).not.toContain(env.AWS_SECRET_ACCESS_KEY);
  }, 30_000);

  it("fails after a few quick retries when nothing listens on the port", async () => {
    const run = await plan(migrationsFor(refusedUrl));
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toContain(
      `EndpointUnreachableError: S3 endpoint ${refusedUrl} (us-east-1) refused the connection (nothing listens there); gave up after 3 attempts`,
    );
    const retries = run.lines.filter((l) => l.msg === "S3 endpoint did not answer; trying again");
    expect(retries.length).toBeGreaterThan(0);
    expect(retries.every((l) => (l.attempt as number) < 3)).toBe(true);
  }, 20_000);
});
