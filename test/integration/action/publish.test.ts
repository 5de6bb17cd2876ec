import { GetParameterCommand } from "@aws-sdk/client-ssm";
import { afterAll, describe, expect, inject, it } from "vitest";
import { ssmFor, uniqueBucket } from "../../emulator/clients.js";
import { startFakeGitHub } from "../../support/fake-github.js";
import { migrationYaml } from "./migrations.js";
import { runAction, workspaceWith } from "./run-action.js";

const { global } = inject("emulator");

const github = await startFakeGitHub();
afterAll(() => github.close());

describe("the Action's publish command", () => {
  it("publishes on push, lists the changes in the job summary, and rewrites nothing the second time", async () => {
    const path = `/${uniqueBucket("longbow")}/migrations`;
    const workspace = workspaceWith({
      "photos.yaml": migrationYaml("photos", "global-photos", "china-photos"),
      "logs.yaml": migrationYaml("logs", "global-logs", "china-logs"),
    });
    const publish = () =>
      runAction({
        inputs: { command: "publish", "ssm-path": path },
        event: "push",
        workspace,
        githubApi: github.url,
        aws: global,
      });

    const first = await publish();
    expect(first.code, first.stdout).toBe(0);
    expect(first.outputs.published).toBe("2");
    expect(first.summary).toContain(`<td>added</td><td>photos</td><td>${path}/photos</td>`);
    expect(first.summary).toContain(`<td>added</td><td>logs</td><td>${path}/logs</td>`);
    const stored = await ssmFor(global).send(new GetParameterCommand({ Name: `${path}/photos` }));
    expect(JSON.parse(stored.Parameter?.Value ?? "{}")).toMatchObject({
      name: "photos",
      source: { bucket: "global-photos" },
    });

    const second = await publish();
    expect(second.code).toBe(0);
    expect(second.outputs.published).toBe("0");
    expect(second.summary).toContain("Nothing changed");
    expect(github.requests).toEqual([]);
  });

  it("refuses to publish a set with errors", async () => {
    const run = await runAction({
      inputs: { command: "publish", "ssm-path": `/${uniqueBucket("longbow")}/m` },
      event: "push",
      workspace: workspaceWith({ "bad.yaml": "name: [" }),
      githubApi: github.url,
      aws: global,
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      "::error::migration files have 1 error(s); run validate; publish did nothing",
    );
  });
});
