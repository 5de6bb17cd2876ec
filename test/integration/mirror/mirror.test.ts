// Mirror mode against the emulators: the plan lists the deletions, a send (then the worker)
// deletes exactly them, the safety stop refuses, an object rewritten (or a source re-created)
// between listing and delete survives, and source ObjectRemoved events delete the copy only
// in mirror mode.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DeleteObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutBucketNotificationConfigurationCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, describe, expect, inject, it } from "vitest";
import { type Migration, type MigrationFile, normalizeMigration } from "../../../worker/src/config/index.js";
import type { Job } from "../../../worker/src/job/index.js";
import { type Ledger, SqliteLedger } from "../../../worker/src/ledger/index.js";
import { DeletionLimitError, deleteDestinationObject } from "../../../worker/src/mirror/index.js";
import { assemblePlan, planMigration, renderPlanMarkdown } from "../../../worker/src/plan/index.js";
import { type Queue, SqliteQueue } from "../../../worker/src/queue/index.js";
import { buildReport, renderReportMarkdown } from "../../../worker/src/report/index.js";
import { Runner } from "../../../worker/src/runner/index.js";
import { sendMigration } from "../../../worker/src/send/index.js";
import { dynamoFor, s3For, sqsFor, uniqueBucket } from "../../emulator/clients.js";
import { runLongbow, writeProfiles } from "../../support/cli.js";
import { createTestDynamoLedger } from "../../support/ledgers.js";
import { bytesFor, createBucket, getBytes, putObject } from "../../support/s3-objects.js";
import { createTestSqsQueue } from "../../support/sqs-queue.js";

const { global, china } = inject("emulator");
const [src, dst] = [s3For(global), s3For(china)];
const dir = mkdtempSync(join(tmpdir(), "longbow-mirror-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function keysOf(s3: S3Client, bucket: string): Promise<string[]> {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (out.Contents ?? []).map((o) => o.Key ?? "").sort();
}

const etagOf = async (s3: S3Client, bucket: string, key: string) =>
  (await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ETag?.replace(/"/g, "");

/**
 * Source p/: keep, new. Destination q/: keep (identical), gone, old/big (extra: deletion
 * candidates), skip.tmp (extra but ignored); other/x outside the prefix. 2 of the
 * destination's 4 objects under q/ would be deleted: 50%.
 */
async function setUp(name: string, mirror: MigrationFile["mirror"]) {
  const [sb, db] = [uniqueBucket(`${name}-src`), uniqueBucket(`${name}-dst`)];
  await createBucket(src, sb, global.region);
  await createBucket(dst, db, china.region);
  await putObject(src, sb, "p/keep", bytesFor("keep", 100));
  await putObject(src, sb, "p/new", bytesFor("new", 50));
  await putObject(dst, db, "q/keep", bytesFor("keep", 100));
  await putObject(dst, db, "q/gone", bytesFor("gone", 30));
  await putObject(dst, db, "q/old/big", bytesFor("big", 3000));
  await putObject(dst, db, "q/skip.tmp", bytesFor("tmp", 10));
  await putObject(dst, db, "other/x", bytesFor("x", 10));
  const m = normalizeMigration({
    name,
    source: { bucket: sb, prefix: "p/", region: global.region },
    destination: { bucket: db, prefix: "q/", region: china.region },
    ignore: ["*.tmp"],
    ...(mirror === undefined ? {} : { mirror }),
  });
  const queue = new SqliteQueue({ path: join(dir, `q-${name}.db`), pollIntervalMs: 20 });
  const ledger = new SqliteLedger({ path: join(dir, `l-${name}.db`) });
  return { m, sb, db, queue, ledger, base: { migration: m, source: src, destination: dst, queue, ledger } };
}

async function work(m: Migration, queue: Queue, ledger: Ledger, events: string[] = []): Promise<void> {
  const runner = new Runner({
    queue,
    ledger,
    migrations: async () => [m],
    clients: async () => ({ source: src, destination: dst, destinationLabel: "china (cn-northwest-1)" }),
    waitSeconds: 1,
    retryBaseDelaySeconds: 0,
    stopWhenIdle: true,
  });
  runner.on("job_deleted", (j, r) => events.push(`${j.destination.key}:${r.status}`));
  runner.start();
  await runner.done();
}

const allowHalf = { enabled: true, maxDeleteShare: "50%" } as const;

describe("mirror mode", () => {
  it("plans the extra objects that are not ignored as deletions, in their own fold", async () => {
    const { m } = await setUp("mirror-plan", allowHalf);
    const plan = await planMigration(m, { source: src, destination: dst, throughputBytesPerSecond: 1e6 });
    expect(plan.deletions).toMatchObject({
      objects: 2,
      bytes: 3030,
      destinationObjects: 4,
      share: 0.5,
      overLimit: false,
      sample: ["q/gone", "q/old/big"],
    });
    expect(plan.deletions?.largest.map((d) => d.destinationKey)).toEqual(["q/old/big", "q/gone"]);
    const text = renderPlanMarkdown(assemblePlan([plan], 1e6, new Date()));
    expect(text).toContain("Mirror: 2 (3.0 KiB) to delete (50% of the destination's 4 objects, limit 50%)");
    expect(text).toContain("- `q/gone`");
  });

  it("a send, then the worker, deletes exactly the candidates and copies the rest; the ledger and report count them apart", async () => {
    const { m, db, queue, ledger, base } = await setUp("mirror-send", allowHalf);
    const sent = await sendMigration(base);
    expect([sent.sent, sent.deletionsSent, sent.deletionsSentBytes]).toEqual([1, 2, 3030]);
    expect(sent.plan.deletions?.objects).toBe(2);
    const events: string[] = [];
    await work(m, queue, ledger, events);
    expect(events.sort()).toEqual(["q/gone:deleted", "q/old/big:deleted"]);
    expect(await keysOf(dst, db)).toEqual(["other/x", "q/keep", "q/new", "q/skip.tmp"]);
    const s = await ledger.summary(m.name);
    expect(s.counters.deleted).toEqual({ objects: 2, bytes: 3030 });
    expect(s.counters.done).toEqual({ objects: 1, bytes: 50 });
    expect(s.counters.pending.objects).toBe(0);
    const item = await ledger.get({ migration: m.name, source: { bucket: m.source.bucket, key: "p/gone" } });
    expect(item).toMatchObject({ status: "deleted", deletion: true, destinationKey: "q/gone", size: 30 });
    const report = await buildReport({ ledger, migrations: [m.name] });
    expect(report.migrations[0]?.objects).toMatchObject({ done: 1, deleted: 2, total: 3 });
    expect(renderReportMarkdown(report)).toContain("| deleted (mirror) | 2 | 3.0 KiB |");
    // a second send finds nothing more to delete
    const again = await sendMigration(base);
    expect([again.sent, again.deletionsSent, again.plan.deletions?.objects]).toEqual([0, 0, 0]);
  });

  it("the safety stop: over the limit, send refuses to delete (naming the file and the setting) and deletes nothing", async () => {
    const { m, db, queue, base } = await setUp("mirror-stop", true);
    const plan = await planMigration(m, { source: src, destination: dst, throughputBytesPerSecond: 1e6 });
    expect(plan.deletions).toMatchObject({ objects: 2, limit: "10%", overLimit: true });
    const refused = sendMigration({ ...base, file: "migrations/mirror-stop.yaml" });
    await expect(refused).rejects.toBeInstanceOf(DeletionLimitError);
    await expect(refused).rejects.toThrow(
      "migration 'mirror-stop' (migrations/mirror-stop.yaml): 2 of the destination's 4 objects (50%) would be deleted, over mirror.maxDeleteShare 10%; no deletion was sent (copies were). Review the plan's deletions, then raise mirror.maxDeleteShare in migrations/mirror-stop.yaml to at least 50% to allow them",
    );
    const bodies = (await queue.receive({ max: 10, waitSeconds: 0 })).map((q) => JSON.parse(q.body) as Job);
    expect(bodies.map((j) => [j.action ?? "copy", j.source.key])).toEqual([["copy", "p/new"]]);
    expect(await keysOf(dst, db)).toEqual(["other/x", "q/gone", "q/keep", "q/old/big", "q/skip.tmp"]);
  });

  it("never deletes an object rewritten between listing and delete, nor one whose source came back", async () => {
    const { m, sb, db, queue, ledger, base } = await setUp("mirror-race", allowHalf);
    const listed = await etagOf(dst, db, "q/gone");
    await sendMigration(base);
    // after the compare listed them: q/gone is rewritten at the destination, p/old/big re-created at the source
    await putObject(dst, db, "q/gone", bytesFor("someone else's", 30));
    await putObject(src, sb, "p/old/big", bytesFor("big again", 3000));
    const events: string[] = [];
    await work(m, queue, ledger, events);
    expect(events.sort()).toEqual(["q/gone:kept", "q/old/big:kept"]);
    expect((await getBytes(dst, db, "q/gone")).equals(bytesFor("someone else's", 30))).toBe(true);
    expect((await getBytes(dst, db, "q/old/big")).equals(bytesFor("big", 3000))).toBe(true);
    const s = await ledger.summary(m.name);
    expect(s.counters.deleted.objects).toBe(0);
    const reasons = Object.fromEntries(s.skips.map((i) => [i.destinationKey, i.lastError ?? ""]));
    // the migration names AWS S3 (no endpoint), so the condition is If-Match alone, no HEAD first
    expect(reasons["q/gone"]).toBe(
      `not deleted: destination china (cn-northwest-1) s3://${db}/q/gone no longer has the listed ETag ${listed} (If-Match failed); it was written since`,
    );
    expect(reasons["q/old/big"]).toContain(
      `s3://${m.source.bucket}/p/old/big exists again; it is copied, not deleted`,
    );
  });

  it("dead-letters a deletion job that names a key outside its migration, deleting nothing", async () => {
    const { m, db, queue, ledger } = await setUp("mirror-forged", allowHalf);
    const etag = await etagOf(dst, db, "other/x");
    const forged: Job = {
      migration: m.name,
      action: "delete",
      source: { bucket: m.source.bucket, key: "p/x" },
      destination: { bucket: db, key: "other/x", ...(etag === undefined ? {} : { etag }) },
    };
    await queue.send([forged]);
    await work(m, queue, ledger);
    expect((await queue.depth()).dead).toBe(1);
    expect(await keysOf(dst, db)).toContain("other/x");
  });

  it("If-Match on DeleteObject keeps an object rewritten after the HEAD (and without one)", async () => {
    const { m, db } = await setUp("mirror-ifmatch", allowHalf);
    const listed = (await etagOf(dst, db, "q/gone")) as string;
    const job: Job = {
      migration: m.name,
      action: "delete",
      source: { bucket: m.source.bucket, key: "p/gone" },
      destination: { bucket: db, key: "q/gone", etag: listed, size: 30 },
    };
    // a client that lets another writer in right after its HEAD: only If-Match can notice
    const racing = s3For(china);
    racing.middlewareStack.add(
      (next, context) => async (args) => {
        const out = await next(args);
        if (context.commandName === "HeadObjectCommand")
          await putObject(dst, db, "q/gone", bytesFor("written after the HEAD", 30));
        return out;
      },
      { step: "initialize", name: "writeAfterHead" },
    );
    const kept = await deleteDestinationObject(job, {
      source: src,
      destination: racing,
      expectedEtag: listed,
    });
    expect(kept.status).toBe("kept");
    expect(kept.reason).toContain("If-Match failed");
    expect((await getBytes(dst, db, "q/gone")).equals(bytesFor("written after the HEAD", 30))).toBe(true);
    // the AWS path (no HEAD): the condition alone keeps a rewritten object, and deletes the listed one
    const now = (await etagOf(dst, db, "q/gone")) as string;
    const noHead = { source: src, destination: dst, headFirst: false };
    expect((await deleteDestinationObject(job, { ...noHead, expectedEtag: listed })).status).toBe("kept");
    expect((await deleteDestinationObject(job, { ...noHead, expectedEtag: now })).status).toBe("deleted");
    expect(await keysOf(dst, db)).not.toContain("q/gone");
    expect((await deleteDestinationObject(job, { ...noHead, expectedEtag: now })).status).toBe("absent");
  });
});

describe("source ObjectRemoved events (SQS notifications, DynamoDB ledger)", () => {
  async function eventsRun(name: string, mirror: boolean) {
    const [sb, db] = [uniqueBucket(`${name}-src`), uniqueBucket(`${name}-dst`)];
    await createBucket(src, sb, global.region);
    await createBucket(dst, db, china.region);
    const m = normalizeMigration({
      name,
      source: { bucket: sb, prefix: "in/", region: global.region },
      destination: { bucket: db, prefix: "out/", region: china.region },
      ignore: ["*.tmp"],
      mirror,
    });
    const { queue, queueArn } = await createTestSqsQueue(sqsFor(global));
    await src.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: sb,
        NotificationConfiguration: {
          QueueConfigurations: [{ QueueArn: queueArn, Events: ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"] }],
        },
      }),
    );
    const { ledger } = await createTestDynamoLedger(dynamoFor(global));
    for (const k of ["in/a b.txt", "in/c.tmp"]) await putObject(src, sb, k, bytesFor(k, 40));
    // c.tmp is ignored, so never copied; put a destination object there to see it is never deleted either
    await putObject(dst, db, "out/c.tmp", bytesFor("tmp", 5));
    await work(m, queue, ledger);
    expect(await keysOf(dst, db)).toEqual(["out/a b.txt", "out/c.tmp"]);
    for (const k of ["in/a b.txt", "in/c.tmp"])
      await src.send(new DeleteObjectCommand({ Bucket: sb, Key: k }));
    const events: string[] = [];
    await work(m, queue, ledger, events);
    expect(await queue.depth()).toEqual({ visible: 0, inFlight: 0, dead: 0 });
    return { m, db, ledger, events };
  }

  it("with mirror on, the removal of a source object deletes its copy (and never an ignored key)", async () => {
    const { m, db, ledger, events } = await eventsRun("removed-mirror", true);
    expect(events).toEqual(["out/a b.txt:deleted"]);
    expect(await keysOf(dst, db)).toEqual(["out/c.tmp"]);
    const s = await ledger.summary(m.name);
    expect([s.counters.deleted.objects, s.counters.done.objects]).toEqual([1, 0]);
  });

  it("with mirror off, the removal is ignored: the copy stays", async () => {
    const { m, db, ledger, events } = await eventsRun("removed-plain", false);
    expect(events).toEqual([]);
    expect(await keysOf(dst, db)).toEqual(["out/a b.txt", "out/c.tmp"]);
    expect((await ledger.summary(m.name)).counters.done.objects).toBe(1);
  });
});

describe("longbow migrate (local mode) in mirror mode", () => {
  const migrationFile = async (name: string, mirror: string) => {
    const { sb, db } = await setUp(name, undefined);
    const folder = mkdtempSync(join(dir, `${name}-`));
    writeFileSync(
      join(folder, `${name}.yaml`),
      [
        `name: ${name}`,
        "source:",
        `  bucket: ${sb}`,
        "  prefix: p/",
        `  region: ${global.region}`,
        `  endpoint: ${global.endpoint}`,
        "  credentials: { profile: global }",
        "destination:",
        `  bucket: ${db}`,
        "  prefix: q/",
        `  region: ${china.region}`,
        `  endpoint: ${china.endpoint}`,
        "  credentials: { profile: china }",
        "ignore: ['*.tmp']",
        `mirror: ${mirror}`,
        "",
      ].join("\n"),
    );
    const env = writeProfiles(join(folder, "aws"), [global, china]);
    return {
      db,
      folder,
      run: () => runLongbow(["migrate", "--dir", folder, "--state", join(folder, "state"), "--json"], env),
    };
  };

  it("deletes the reviewed candidates with the same send and worker as the cluster", async () => {
    const { db, run } = await migrationFile("local-mirror", "{ enabled: true, maxDeleteShare: 50% }");
    const p = run();
    expect(await p.exited).toBe(0);
    expect(await keysOf(dst, db)).toEqual(["other/x", "q/keep", "q/new", "q/skip.tmp"]);
    const report = JSON.parse(p.stdout());
    expect(report.migrations[0].objects).toMatchObject({ done: 1, deleted: 2, pending: 0, failed: 0 });
  });

  it("stops at the safety limit: exit 1 naming the file and the setting, nothing deleted", async () => {
    const { db, folder, run } = await migrationFile("local-stop", "true");
    const p = run();
    expect(await p.exited).toBe(1);
    expect(p.stderr()).toContain(
      `migration 'local-stop' (${join(folder, "local-stop.yaml")}): 2 of the destination's 4 objects (50%) would be deleted, over mirror.maxDeleteShare 10%`,
    );
    expect(await keysOf(dst, db)).toEqual(["other/x", "q/gone", "q/keep", "q/old/big", "q/skip.tmp"]);
  });
});
