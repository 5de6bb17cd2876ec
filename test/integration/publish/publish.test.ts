import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeParametersCommand, GetParameterCommand, PutParameterCommand } from "@aws-sdk/client-ssm";
import { describe, expect, inject, it } from "vitest";
import type { Migration } from "../../../worker/src/config/index.js";
import { normalizeMigration } from "../../../worker/src/config/index.js";
import {
  formatChange,
  loadPublishedMigrations,
  ParameterTooLargeError,
  PublishDeletionsRefusedError,
  PublishedMigrationError,
  PublishOptionsError,
  publishMigrations,
} from "../../../worker/src/publish/index.js";
import { ssmFor, uniqueBucket } from "../../emulator/clients.js";
import { defaultCredentials, longbowResult } from "../../support/cli.js";

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
      [a, { ...b, compare: "size" }, migration("gamma", { enabled: false })],
      ssm,
      { path },
    );
    expect(second.map(formatChange)).toEqual([`= ${path}/alpha`, `~ ${path}/beta`]);
    const after = await ssm.send(new GetParameterCommand({ Name: `${path}/alpha` }));
    expect(after.Parameter?.Version).toBe(before.Parameter?.Version);

    const third = await publishMigrations([{ ...b, compare: "size" }], ssm, { path });
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

describe("publish refuses what would lose or half-write the published set", () => {
  const names = async (path: string) => (await loadPublishedMigrations(ssm, path)).map((m) => m.name);

  it("refuses to remove every published migration, even on a dry run, and writes nothing", async () => {
    const path = `/${uniqueBucket("longbow")}/migrations`;
    await publishMigrations([migration("alpha"), migration("beta")], ssm, { path });
    // a folder whose files were renamed to .YAML: no migrations left
    await expect(publishMigrations([], ssm, { path })).rejects.toThrow(PublishDeletionsRefusedError);
    await expect(publishMigrations([], ssm, { path, dryRun: true })).rejects.toThrow(
      /would remove every published migration \(2\); nothing was written.*--allow-deletions/,
    );
    expect(await names(path)).toEqual(["alpha", "beta"]);
  });

  it("refuses to remove more than half of them, without writing the additions either", async () => {
    const path = `/${uniqueBucket("longbow")}/migrations`;
    await publishMigrations([migration("a1"), migration("a2"), migration("a3")], ssm, { path });
    const refused = publishMigrations([migration("a1"), migration("new")], ssm, { path });
    await expect(refused).rejects.toThrow(/would remove 2 of 3 published migrations, more than 50 %/);
    expect(await names(path)).toEqual(["a1", "a2", "a3"]);
    // half is allowed
    const half = await publishMigrations([migration("a1"), migration("a2")], ssm, { path });
    expect(half.map(formatChange)).toEqual([`= ${path}/a1`, `= ${path}/a2`, `- ${path}/a3`]);
  });

  it("removes them all when told to", async () => {
    const path = `/${uniqueBucket("longbow")}/migrations`;
    await publishMigrations([migration("alpha")], ssm, { path });
    const changes = await publishMigrations([], ssm, { path, allowDeletions: true });
    expect(changes.map(formatChange)).toEqual([`- ${path}/alpha`]);
    expect(await names(path)).toEqual([]);
  });

  it("refuses a migration over SSM's 8 KB limit before writing any other", async () => {
    const path = `/${uniqueBucket("longbow")}/migrations`;
    const huge = migration("zeta", { ignore: Array.from({ length: 600 }, (_, i) => `*/scratch-${i}/*`) });
    await expect(publishMigrations([migration("alpha"), huge], ssm, { path })).rejects.toThrow(
      ParameterTooLargeError,
    );
    expect(await names(path)).toEqual([]);
  });

  it("writes a migration over the Standard tier's 4 KB in the Advanced tier, and keeps it there", async () => {
    const path = `/${uniqueBucket("longbow")}/migrations`;
    const big = migration("big", { ignore: Array.from({ length: 300 }, (_, i) => `*/scratch-${i}/*`) });
    await publishMigrations([big], ssm, { path });
    const tier = async () =>
      (
        await ssm.send(
          new DescribeParametersCommand({ ParameterFilters: [{ Key: "Name", Values: [`${path}/big`] }] }),
        )
      ).Parameters?.[0]?.Tier;
    expect(await tier()).toBe("Advanced");
    await publishMigrations([{ ...big, ignore: ["*.tmp"] }], ssm, { path });
    expect(await tier()).toBe("Advanced");
  });
});

describe("longbow publish", () => {
  const longbow = (...args: string[]) =>
    longbowResult(args, {
      ...defaultCredentials(global),
      AWS_ENDPOINT_URL_SSM: global.endpoint,
    });

  it("on a folder with no migration files, refuses to empty the path unless --allow-deletions", async () => {
    const path = `/${uniqueBucket("longbow")}/migrations`;
    await publishMigrations([migration("alpha")], ssm, { path });
    const dir = await mkdtemp(join(tmpdir(), "longbow-publish-"));
    try {
      const refused = await longbow("publish", "--dir", dir, "--path", path);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`- ${path}/alpha\n`);
      expect(refused.stderr).toContain("would remove every published migration (1); nothing was written");
      expect((await loadPublishedMigrations(ssm, path)).map((m) => m.name)).toEqual(["alpha"]);

      const allowed = await longbow("publish", "--dir", dir, "--path", path, "--allow-deletions");
      expect(allowed.code, allowed.stderr).toBe(0);
      expect(allowed.stdout).toBe(`- ${path}/alpha\n`);
      expect(await loadPublishedMigrations(ssm, path)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
