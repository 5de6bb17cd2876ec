import { GetParameterCommand, PutParameterCommand } from "@aws-sdk/client-ssm";
import { describe, expect, inject, it } from "vitest";
import type { Migration } from "../../../worker/src/config/index.js";
import { normalizeMigration } from "../../../worker/src/config/index.js";
import {
  formatChange,
  loadPublishedMigrations,
  PublishedMigrationError,
  PublishOptionsError,
  publishMigrations,
} from "../../../worker/src/publish/index.js";
import { ssmFor, uniqueBucket } from "../../emulator/clients.js";

const { global } = inject("emulator");
const ssm = ssmFor(global);

function migration(name: string, extra: Partial<Migration> = {}): Migration {
  return {
    ...normalizeMigration({
      name,
      source: { bucket: "src-bucket", region: "us-east-1" },
      destination: {
        bucket: "dst-bucket",
        prefix: `${name}/`,
        region: "cn-northwest-1",
        credentials: { profile: "cn" },
      },
    }),
    ...extra,
  };
}

describe("publish to SSM", () => {
  it("adds, leaves unchanged, changes and removes parameters, and loads the set back", async () => {
    const path = `/${uniqueBucket("longbow")}/migrations`;
    const a = migration("alpha");
    const b = migration("beta");
    const first = await publishMigrations([b, a], ssm, { path });
    expect(first.map(formatChange)).toEqual([`+ ${path}/alpha`, `+ ${path}/beta`]);
    expect(await loadPublishedMigrations(ssm, path)).toEqual([a, b]);

    const before = await ssm.send(new GetParameterCommand({ Name: `${path}/alpha` }));
    const second = await publishMigrations(
      [a, { ...b, compare: "etag" }, migration("gamma", { enabled: false })],
      ssm,
      { path },
    );
    expect(second.map(formatChange)).toEqual([`= ${path}/alpha`, `~ ${path}/beta`]);
    const after = await ssm.send(new GetParameterCommand({ Name: `${path}/alpha` }));
    expect(after.Parameter?.Version).toBe(before.Parameter?.Version);

    const third = await publishMigrations([{ ...b, compare: "etag" }], ssm, { path });
    expect(third.map(formatChange)).toEqual([`= ${path}/beta`, `- ${path}/alpha`]);
    expect((await loadPublishedMigrations(ssm, path)).map((m) => m.name)).toEqual(["beta"]);
  });

  it("changes nothing on a dry run", async () => {
    const path = `/${uniqueBucket("longbow")}/migrations`;
    const changes = await publishMigrations([migration("alpha")], ssm, { path, dryRun: true });
    expect(changes.map((c) => c.kind)).toEqual(["added"]);
    expect(await loadPublishedMigrations(ssm, path)).toEqual([]);
  });

  it("refuses a published parameter that is not a valid migration", async () => {
    const path = `/${uniqueBucket("longbow")}/migrations`;
    await ssm.send(
      new PutParameterCommand({ Name: `${path}/broken`, Value: '{"name":"broken"}', Type: "String" }),
    );
    await expect(loadPublishedMigrations(ssm, path)).rejects.toThrow(PublishedMigrationError);
    await expect(loadPublishedMigrations(ssm, path)).rejects.toThrow(/missing required key 'source'/);
  });

  it("rejects a malformed path, naming the option", async () => {
    await expect(publishMigrations([], ssm, { path: "longbow migrations" })).rejects.toThrow(
      PublishOptionsError,
    );
    await expect(publishMigrations([], ssm, { path: "nope" })).rejects.toThrow(/^path must/);
  });
});
