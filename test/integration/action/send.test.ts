import { CreateQueueCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createLedgerTable } from "../../../worker/src/ledger/index.js";
import { dynamoFor, s3For, sqsFor, ssmFor, uniqueBucket } from "../../emulator/clients.js";
import type { EmulatorSide } from "../../emulator/emulator.js";
import { type FakeGitHub, startFakeGitHub } from "../../support/fake-github.js";
import { bucketWith as bucketIn } from "../../support/s3-objects.js";
import { putKeyParameter } from "../../support/ssm.js";
import { migrationYaml } from "./migrations.js";
import { runAction, workspaceWith } from "./run-action.js";

const { global, china } = inject("emulator");

const bucketWith = (side: EmulatorSide, name: string, objects: Record<string, string>) =>
  bucketIn(s3For(side), name, side.region, objects);

describe("the Action's send command", () => {
  let github: FakeGitHub;
  let queueUrl: string;
  const tableName = uniqueBucket("ledger");
  const ssmPath = `/${uniqueBucket("longbow")}/migrations`;
  const parameter = `/${uniqueBucket("longbow")}/china-credentials`;
  const src = uniqueBucket("src");
  const dst = uniqueBucket("dst");
  const creds = `credentials:\n    ssmParameter: ${parameter}`;
  const workspace = workspaceWith({
    "photos.yaml": migrationYaml("photos", src, dst, creds),
    "paused.yaml": `${migrationYaml("paused", src, uniqueBucket("dst"), creds)}enabled: false\n`,
  });
  const common = {
    workspace,
    aws: global,
    get githubApi() {
      return github.url;
    },
  };
  const sendInputs = () => ({
    command: "send",
    "ssm-path": ssmPath,
    "queue-url": queueUrl,
    "table-name": tableName,
    "global-endpoint": global.endpoint,
    "china-endpoint": china.endpoint,
  });

  beforeAll(async () => {
    github = await startFakeGitHub();
    await putKeyParameter(ssmFor(global), parameter, china);
    await bucketWith(global, src, { "a.jpg": "aaaa", "b/c.jpg": "cc", "same.jpg": "same" });
    await bucketWith(china, dst, { "same.jpg": "same" });
    queueUrl =
      (await sqsFor(global).send(new CreateQueueCommand({ QueueName: uniqueBucket("jobs") }))).QueueUrl ?? "";
    await createLedgerTable(dynamoFor(global), tableName);
  });
  afterAll(() => github.close());

  it("sends the published migrations' missing objects once, with a summary per migration", async () => {
    const published = await runAction({
      ...common,
      inputs: { command: "publish", "ssm-path": ssmPath },
      event: "push",
    });
    expect(published.code, published.stdout).toBe(0);

    const first = await runAction({ ...common, inputs: sendInputs(), event: "schedule" });
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.outputs.sent).toBe("2");
    expect(first.summary).toContain(
      "<td>photos</td><td>2</td><td>0</td><td>1</td><td>0</td><td>0</td><td>2</td><td>6 B</td><td>0</td>",
    );
    expect(first.summary).not.toContain("paused");
    // each migration's plan, from the same compare pass
    expect(first.summary).toContain("<summary>");
    expect(first.summary).toContain("Extra objects exist only at the destination");

    const received = await sqsFor(global).send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: 0,
      }),
    );
    const jobs = (received.Messages ?? []).map((m) => JSON.parse(m.Body ?? "{}"));
    expect(jobs.map((j) => j.source.key).sort()).toEqual(["a.jpg", "b/c.jpg"]);
    expect(jobs[0]).toMatchObject({
      migration: "photos",
      source: { bucket: src },
      destination: { bucket: dst },
    });

    const again = await runAction({ ...common, inputs: sendInputs(), event: "workflow_dispatch" });
    expect(again.code).toBe(0);
    expect(again.outputs.sent).toBe("0");

    const texts = [
      first.stdout,
      first.stderr,
      first.summary,
      again.stdout,
      again.stderr,
      ...(received.Messages ?? []).map((m) => m.Body),
    ];
    for (const text of texts) {
      expect(text).not.toContain(china.secretAccessKey);
      expect(text).not.toContain(global.secretAccessKey);
    }
    expect(github.requests).toEqual([]);
  });

  it("fails, naming the input, without a queue", async () => {
    const run = await runAction({
      ...common,
      inputs: { ...sendInputs(), "queue-url": "" },
      event: "schedule",
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("::error::input queue-url is required for command send");
  });
});
