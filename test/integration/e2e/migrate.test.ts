import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ListMultipartUploadsCommand, ListPartsCommand } from "@aws-sdk/client-s3";
import { afterAll, describe, expect, inject, it } from "vitest";
import { s3For, uniqueBucket } from "../../emulator/clients.js";
import { runLongbow, writeMigration, writeProfiles } from "../../support/cli.js";
import { type FaultProxy, startFaultProxy, startHoldingProxy } from "../../support/fault-proxy.js";
import { bytesFor, createBucket, getBytes, putObject } from "../../support/s3-objects.js";

const { global, china } = inject("emulator");
const [src, dst] = [s3For(global), s3For(china)];
const dir = mkdtempSync(join(tmpdir(), "longbow-migrate-"));
const proxies: FaultProxy[] = [];
afterAll(async () => {
  await Promise.all(proxies.map((p) => p.close()));
  rmSync(dir, { recursive: true, force: true });
});
const MiB = 1048576;

async function partsAtDestination(bucket: string, key: string): Promise<number> {
  const uploads = await dst.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: key }));
  const upload = uploads.Uploads?.[0];
  if (!upload?.UploadId) return 0;
  const parts = await dst.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: upload.UploadId }));
  return parts.Parts?.length ?? 0;
}

describe("longbow migrate (local mode)", () => {
  it("copies a migration, and after Ctrl-C a re-run resumes without copying finished objects or parts again", async () => {
    const [sb, db] = [uniqueBucket("mig-src"), uniqueBucket("mig-dst")];
    await createBucket(src, sb, global.region);
    await createBucket(dst, db, china.region);
    const small = ["a.txt", "nested/deep/b c.txt", "nested/ü+x.bin", "zero"];
    const sizes: Record<string, number> = {
      "a.txt": 10,
      "nested/deep/b c.txt": 2000,
      "nested/ü+x.bin": 70_000,
      zero: 0,
    };
    for (const k of small) await putObject(src, sb, `data/${k}`, bytesFor(k, sizes[k] ?? 0));
    // Many objects pending after the interrupt: the second run copies them while its compare
    // still lists the destination, which is when a finished object could be queued again.
    const many = Array.from({ length: 300 }, (_, i) => `many/${String(i).padStart(3, "0")}.txt`);
    for (let i = 0; i < many.length; i += 25) {
      await Promise.all(many.slice(i, i + 25).map((k) => putObject(src, sb, `data/${k}`, bytesFor(k, 64))));
    }
    const big = "data/big.bin";
    await putObject(src, sb, big, bytesFor(big, 20 * MiB));
    // In the first run the big object's parts after the first are held on their way to the
    // destination until that run has ended, so the interrupt lands mid-copy however fast the copy is.
    const { proxy: slowParts, held: heldParts } = await startHoldingProxy(
      china.endpoint,
      (url) => url.includes("/copy/big.bin?") && !/partNumber=1\b/.test(url),
    );
    proxies.push(slowParts);
    writeMigration(
      dir,
      "local-test",
      { side: global, bucket: sb, prefix: "data/" },
      { side: china, bucket: db, prefix: "copy/", endpoint: slowParts.endpoint },
    );
    const env = {
      ...writeProfiles(join(dir, "aws"), [global, china]),
      LONGBOW_PART_SIZE_MB: "5",
      LONGBOW_PARTS_IN_PARALLEL: "1",
      LONGBOW_LOG_LEVEL: "info",
    };
    const args = ["migrate", "--dir", dir, "--state", join(dir, "state"), "--json"];

    const first = runLongbow(args, env);
    // Interrupt once a part of the big object is at the destination and the next is held.
    while ((await partsAtDestination(db, "copy/big.bin")) < 1 || heldParts.waiting < 1) {
      if (first.child.exitCode !== null)
        throw new Error(`migrate ended before the interrupt: ${first.stderr()}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    first.child.kill("SIGINT");
    expect(await first.exited).toBe(130);
    expect(first.stderr()).toContain("Run the same command again to resume:");
    expect(first.stderr()).not.toMatch(/"level":"(warn|error)"/);
    const copiedFirst = first
      .lines()
      .filter((l) => l.msg === "object copied")
      .map((l) => l.key);
    expect(copiedFirst).not.toContain(big);

    heldParts.open();
    const second = runLongbow(args, env);
    expect(await second.exited).toBe(0);
    const copiedSecond = second.lines().filter((l) => l.msg === "object copied");
    // Nothing the first run finished is copied again; the big one keeps its parts.
    for (const k of copiedFirst) expect(copiedSecond.map((l) => l.key)).not.toContain(k);
    const bigLine = copiedSecond.find((l) => l.key === big);
    expect(bigLine?.partsReused).toBeGreaterThanOrEqual(1);
    const report = JSON.parse(second.stdout());
    expect(report.migrations[0]).toMatchObject({
      migration: "local-test",
      objects: { total: 305, done: 305, pending: 0, failed: 0 },
      finished: true,
    });
    // No object was written twice over both runs (small objects are one PUT each).
    const puts = new Map<string, number>();
    for (const r of slowParts.requests) {
      if (r.method !== "PUT" || r.url.includes("partNumber=")) continue;
      const path = r.url.split("?")[0] ?? "";
      puts.set(path, (puts.get(path) ?? 0) + 1);
    }
    expect([...puts].filter(([, n]) => n > 1)).toEqual([]);
    expect(puts.size).toBe(304);
    // one source of truth: the last progress line shows the report's numbers
    const lastProgress = second
      .lines()
      .filter((l) => l.type === "progress")
      .at(-1);
    expect(lastProgress).toMatchObject({
      objects: report.migrations[0].objects,
      bytes: report.migrations[0].bytes,
    });
    // reused parts are done but were not sent by this run
    expect(lastProgress?.bytesSent).toBeLessThan(report.migrations[0].bytes.done);
    for (const k of small) {
      expect((await getBytes(dst, db, `copy/${k}`)).equals(bytesFor(k, sizes[k] ?? 0))).toBe(true);
    }
    expect((await getBytes(dst, db, "copy/big.bin")).equals(bytesFor(big, 20 * MiB))).toBe(true);
  });
});

describe("longbow migrate with the default compare", () => {
  it("copies again a source object rewritten with other bytes of the same size", async () => {
    const [sb, db] = [uniqueBucket("rew-src"), uniqueBucket("rew-dst")];
    await createBucket(src, sb, global.region);
    await createBucket(dst, db, china.region);
    await putObject(src, sb, "data/report.csv", Buffer.from("version-1"));
    const folder = writeMigration(
      mkdtempSync(join(dir, "rewrite-")),
      "rewrite",
      { side: global, bucket: sb, prefix: "data/" },
      { side: china, bucket: db, prefix: "copy/" },
    );
    const env = writeProfiles(join(folder, "aws"), [global, china]);
    const args = ["migrate", "--dir", folder, "--state", join(folder, "state"), "--json", "--no-progress"];
    expect(await runLongbow(args, env).exited).toBe(0);
    await putObject(src, sb, "data/report.csv", Buffer.from("version-2"));
    const again = runLongbow(args, env);
    expect(await again.exited, again.stderr()).toBe(0);
    expect((await getBytes(dst, db, "copy/report.csv")).toString()).toBe("version-2");
  });
});

describe("longbow migrate when a source changes mid-copy", () => {
  it("reports the object skipped with its reason and exits 3", async () => {
    const [sb, db] = [uniqueBucket("skip-src"), uniqueBucket("skip-dst")];
    await createBucket(src, sb, global.region);
    await createBucket(dst, db, china.region);
    await putObject(src, sb, "data/moving.bin", bytesFor("moving", 12 * MiB));
    // the source is rewritten as its second part is read: the pinned read fails, nothing half-old half-new
    let ranged = 0;
    const rewriting = await startFaultProxy({
      target: global.endpoint,
      beforeForward: async (r) => {
        if (r.method === "GET" && r.headers.range !== undefined && ++ranged === 2)
          await putObject(src, sb, "data/moving.bin", bytesFor("moved", 12 * MiB));
      },
    });
    proxies.push(rewriting);
    const folder = writeMigration(
      mkdtempSync(join(dir, "skip-")),
      "skip",
      { side: global, bucket: sb, prefix: "data/", endpoint: rewriting.endpoint },
      { side: china, bucket: db, prefix: "copy/" },
    );
    const env = { ...writeProfiles(join(folder, "aws"), [global, china]), LONGBOW_PARTS_IN_PARALLEL: "1" };
    const run = runLongbow(
      ["migrate", "--dir", folder, "--state", join(folder, "state"), "--json", "--no-progress"],
      env,
    );
    expect(await run.exited, run.stderr()).toBe(3);
    const [m] = JSON.parse(run.stdout()).migrations;
    expect(m.objects).toMatchObject({ skipped: 1, failed: 0 });
    expect(m.skips).toEqual([
      expect.objectContaining({ key: "data/moving.bin", reason: expect.stringMatching(/changed/) }),
    ]);
  });
});
