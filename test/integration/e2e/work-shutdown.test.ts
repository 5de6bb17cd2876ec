import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ListMultipartUploadsCommand } from "@aws-sdk/client-s3";
import { afterAll, describe, expect, inject, it } from "vitest";
import type { Job } from "../../../worker/src/job/index.js";
import { SqliteLedger } from "../../../worker/src/ledger/index.js";
import { SqliteQueue } from "../../../worker/src/queue/index.js";
import { s3For, uniqueBucket } from "../../emulator/clients.js";
import { runLongbow, writeMigration, writeProfiles } from "../../support/cli.js";
import { bytesFor, createBucket, putObject } from "../../support/s3-objects.js";

const { global, china } = inject("emulator");
const [src, dst] = [s3For(global), s3For(china)];
const dir = mkdtempSync(join(tmpdir(), "longbow-work-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("longbow work shutdown", () => {
  it("on SIGTERM stops, releases its running job with the upload kept for resume, and exits 0", async () => {
    const [sb, db] = [uniqueBucket("stop-src"), uniqueBucket("stop-dst")];
    await createBucket(src, sb, global.region);
    await createBucket(dst, db, china.region);
    await putObject(src, sb, "big.bin", bytesFor("big", 20 * 1048576));
    writeMigration(dir, "stop-test", { side: global, bucket: sb }, { side: china, bucket: db });
    const state = join(dir, "state");
    const queue = new SqliteQueue({ path: join(state, "queue.db") });
    const ledger = new SqliteLedger({ path: join(state, "ledger.db") });
    const job: Job = {
      migration: "stop-test",
      source: { bucket: sb, key: "big.bin", size: 20 * 1048576 },
      destination: { bucket: db, key: "big.bin" },
    };
    await queue.send(await ledger.enqueue([job], new Date()));
    const worker = runLongbow(["work", "--state", state, "--migrations-dir", dir, "--no-metrics"], {
      ...writeProfiles(join(dir, "aws"), [global, china]),
      LONGBOW_PART_SIZE_MB: "5",
      LONGBOW_PARTS_IN_PARALLEL: "1",
      LONGBOW_STOP_DEADLINE_SECONDS: "30",
    });
    while (!(await ledger.get(job))?.uploadId) {
      if (worker.child.exitCode !== null) throw new Error(worker.stderr());
      await new Promise((r) => setTimeout(r, 25));
    }
    // The first signal drains; a second one cuts the drain short.
    worker.child.kill("SIGTERM");
    // Signals that arrive together coalesce: send the second once the first is handled.
    await worker.untilStderr(/"draining"/);
    worker.child.kill("SIGTERM");
    expect(await worker.exited, worker.stderr()).toBe(0);
    const after = await ledger.get(job);
    expect(await queue.depth()).toEqual({ visible: 1, inFlight: 0, dead: 0 });
    // an interruption is not an attempt: nothing counted, the message handed back uncounted
    expect(after).toMatchObject({ status: "running", attempts: 0, failures: 0 });
    const [again] = await queue.receive({ waitSeconds: 0 });
    expect(again?.receiveCount).toBe(1);
    if (again) await queue.putBack(again);
    const uploads = await dst.send(new ListMultipartUploadsCommand({ Bucket: db }));
    expect(uploads.Uploads?.map((u) => u.UploadId)).toEqual([after?.uploadId]);
    expect(worker.lines().map((l) => l.msg)).toEqual(
      expect.arrayContaining(["draining", "stopping now", "worker stopped"]),
    );
    await Promise.all([queue.close(), ledger.close()]);
  });

  it("drains and exits 0 on an EC2 Spot interruption notice (IMDSv2)", async () => {
    const imds = createServer((req, res) => {
      if (req.method === "PUT" && req.url === "/latest/api/token") res.end("token");
      else if (
        req.url === "/latest/meta-data/spot/instance-action" &&
        req.headers["x-aws-ec2-metadata-token"] === "token"
      ) {
        res.end(JSON.stringify({ action: "terminate", time: "2026-11-26T02:00:00Z" }));
      } else res.writeHead(404).end();
    });
    await new Promise<void>((r) => imds.listen(0, "127.0.0.1", r));
    try {
      const url = `http://127.0.0.1:${(imds.address() as AddressInfo).port}`;
      const worker = runLongbow(
        [
          "work",
          "--state",
          join(dir, "spot-state"),
          "--migrations-dir",
          dir,
          "--spot",
          "--imds-url",
          url,
          "--no-metrics",
        ],
        {},
      );
      expect(await worker.exited, worker.stderr()).toBe(0);
      expect(worker.lines().map((l) => l.msg)).toEqual(
        expect.arrayContaining(["spot interruption notice", "draining", "worker stopped"]),
      );
    } finally {
      imds.close();
    }
  });
});
