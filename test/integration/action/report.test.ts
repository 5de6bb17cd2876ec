import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Job } from "../../../worker/src/job/index.js";
import { createLedgerTable, DynamoLedger } from "../../../worker/src/ledger/index.js";
import { dynamoFor, sqsFor, uniqueBucket } from "../../emulator/clients.js";
import { actionsBot, type FakeGitHub, startFakeGitHub } from "../../support/fake-github.js";
import { migrationYaml } from "./migrations.js";
import { runAction, workspaceWith } from "./run-action.js";

const { global } = inject("emulator");
const MiB = 1024 * 1024;

const job = (migration: string, key: string, size: number): Job => ({
  migration,
  source: { bucket: `global-${migration}`, key, size, etag: "e" },
  destination: { bucket: `china-${migration}`, key },
});

describe("the Action's report command", () => {
  let github: FakeGitHub;
  let ledger: DynamoLedger;
  let tableName: string;
  let queueUrl: string;
  const workspace = workspaceWith({
    "photos.yaml": migrationYaml("photos", "global-photos", "china-photos"),
    "logs.yaml": migrationYaml("logs", "global-logs", "china-logs"),
    // Never sent: no comment for it.
    "fresh.yaml": migrationYaml("fresh", "global-fresh", "china-fresh"),
  });
  const run = () =>
    runAction({
      inputs: { command: "report", "table-name": tableName, "queue-url": queueUrl },
      event: "schedule",
      workspace,
      githubApi: github.url,
      aws: global,
    });
  const writes = () =>
    github.requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.url.replace(/\?.*/, "")}`);

  beforeAll(async () => {
    github = await startFakeGitHub();
    github.state.lastCommitForPath.set("migrations/photos.yaml", "a".repeat(40));
    github.state.pullsForCommit.set("a".repeat(40), [{ number: 7, merged_at: "2026-11-20T10:00:00Z" }]);
    github.state.lastCommitForPath.set("migrations/logs.yaml", "b".repeat(40));
    github.state.pullsForCommit.set("b".repeat(40), [
      { number: 3, merged_at: null },
      { number: 9, merged_at: "2026-11-21T10:00:00Z" },
    ]);
    tableName = uniqueBucket("ledger");
    await createLedgerTable(dynamoFor(global), tableName);
    ledger = new DynamoLedger({
      client: DynamoDBDocumentClient.from(dynamoFor(global), {
        marshallOptions: { removeUndefinedValues: true },
      }),
      tableName,
    });
    const sqs = sqsFor(global);
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: uniqueBucket("jobs-dlq") }));
    const arn = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ["QueueArn"] }))
    ).Attributes?.QueueArn;
    queueUrl =
      (
        await sqs.send(
          new CreateQueueCommand({
            QueueName: uniqueBucket("jobs"),
            Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: 3 }) },
          }),
        )
      ).QueueUrl ?? "";
    await sqs.send(new SendMessageCommand({ QueueUrl: dlq.QueueUrl, MessageBody: "{}" }));
    const now = new Date();
    for (const name of ["photos", "logs"]) {
      await ledger.recordCompare(name, now);
      await ledger.enqueue([job(name, "a.bin", 8 * MiB), job(name, "b.bin", 2 * MiB)], now);
    }
    const run = { workerId: "w1", attempt: 1, startedAt: now.toISOString() };
    await ledger.finish(job("photos", "a.bin", 8 * MiB), {
      ...run,
      status: "done",
      endedAt: now.toISOString(),
      bytes: 8 * MiB,
    });
  });
  afterAll(() => github.close());

  it("creates one comment per migration on the pull request that last changed its file, then edits it", async () => {
    // Someone else's "finished" report for photos neither freezes nor replaces the real one.
    const forged = "<!-- longbow:report:photos -->\n<!-- longbow:finished -->\nfinished, nothing to do";
    github.state.comments.push({ id: 1, issue: 7, body: forged, author: "mallory" });
    const first = await run();
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(github.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      "GET /repos/octo/longbow/commits?path=migrations%2Flogs.yaml&per_page=1",
      `GET /repos/octo/longbow/commits/${"b".repeat(40)}/pulls`,
      "GET /user",
      "GET /repos/octo/longbow/issues/9/comments?per_page=100",
      "POST /repos/octo/longbow/issues/9/comments",
      "GET /repos/octo/longbow/commits?path=migrations%2Fphotos.yaml&per_page=1",
      `GET /repos/octo/longbow/commits/${"a".repeat(40)}/pulls`,
      "GET /repos/octo/longbow/issues/7/comments?per_page=100",
      "POST /repos/octo/longbow/issues/7/comments",
    ]);
    expect(github.requests.every((r) => r.authorization === "token ghs_faketoken")).toBe(true);
    const [logs, photos] = github.state.comments.filter((c) => c.author === actionsBot);
    expect(github.state.comments.find((c) => c.id === 1)?.body).toBe(forged);
    expect(photos?.issue).toBe(7);
    expect(photos?.body.split("\n")[0]).toBe("<!-- longbow:report:photos -->");
    expect(photos?.body).toContain("in progress");
    expect(photos?.body).toContain("```mermaid\npie showData");
    expect(photos?.body).toContain("xychart-beta");
    expect(photos?.body).toContain("dead letters: **1**");
    expect(logs?.issue).toBe(9);
    expect(first.outputs.reported).toBe("2");
    expect(first.summary).toContain("photos");

    github.requests.length = 0;
    const now = new Date();
    const attempt = { workerId: "w2", attempt: 2, startedAt: now.toISOString(), endedAt: now.toISOString() };
    await ledger.finish(job("photos", "b.bin", 2 * MiB), {
      ...attempt,
      status: "failed",
      reason: "AccessDenied on the destination",
    });
    const second = await run();
    expect(second.code).toBe(0);
    expect(writes()).toEqual([
      `PATCH /repos/octo/longbow/issues/comments/${logs?.id}`,
      `PATCH /repos/octo/longbow/issues/comments/${photos?.id}`,
    ]);
    expect(github.state.comments).toHaveLength(3);
    expect(photos?.body).toContain("<!-- longbow:finished -->");
    expect(photos?.body).toContain("finished with failures");
    expect(photos?.body).toContain("AccessDenied on the destination");

    github.requests.length = 0;
    const third = await run();
    expect(third.code).toBe(0);
    // photos finished and is frozen; logs is still in progress and is edited again
    expect(writes()).toEqual([`PATCH /repos/octo/longbow/issues/comments/${logs?.id}`]);

    for (const r of [first, second, third]) {
      for (const text of [r.stdout, r.stderr, r.summary, ...github.state.comments.map((c) => c.body)]) {
        expect(text).not.toContain(global.secretAccessKey);
      }
    }
  });
});
