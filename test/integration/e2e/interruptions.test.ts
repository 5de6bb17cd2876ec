import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ListMultipartUploadsCommand } from "@aws-sdk/client-s3";
import { afterAll, describe, expect, inject, it } from "vitest";
import { s3For, uniqueBucket } from "../../emulator/clients.js";
import { runLongbow, writeProfiles } from "../../support/cli.js";
import { seededRandom, startFaultProxy } from "../../support/fault-proxy.js";
import { createBucket, getBytes } from "../../support/s3-objects.js";
import { putParts } from "../transfer/helpers.js";

const { global, china } = inject("emulator");
const [src, dst] = [s3For(global), s3For(china)];
const dir = mkdtempSync(join(tmpdir(), "longbow-interrupt-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const MiB = 1048576;
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

describe("longbow migrate interrupted again and again (the README's resume: run the same command again)", () => {
  it("converges on one upload after 10 SIGKILLs and 10 SIGINTs at random points, re-sending only parts in flight", async () => {
    const [sb, db] = [uniqueBucket("intr-src"), uniqueBucket("intr-dst")];
    await createBucket(src, sb, global.region);
    await createBucket(dst, db, china.region);
    const partSize = 8 * MiB;
    const parts = 32;
    const data = randomBytes(parts * partSize);
    await putParts(
      src,
      sb,
      "data/big.bin",
      data,
      Array.from({ length: parts }, () => partSize),
    );
    const proxy = await startFaultProxy({ target: china.endpoint });
    try {
      writeFileSync(
        join(dir, "interrupted.yaml"),
        [
          "name: interrupted",
          `source: { bucket: ${sb}, prefix: data/, region: ${global.region}, endpoint: "${global.endpoint}", credentials: { profile: global } }`,
          `destination: { bucket: ${db}, prefix: copy/, region: ${china.region}, endpoint: "${proxy.endpoint}", credentials: { profile: china } }`,
          "",
        ].join("\n"),
      );
      const partsInParallel = 4;
      const env = {
        ...writeProfiles(join(dir, "aws"), [global, china]),
        LONGBOW_FILES_IN_PARALLEL: "1",
        LONGBOW_PARTS_IN_PARALLEL: String(partsInParallel),
        ...(process.env.LONGBOW_DEBUG_DIR ? { LONGBOW_LOG_LEVEL: "debug" } : {}),
      };
      const args = ["migrate", "--dir", dir, "--state", join(dir, "state"), "--json", "--no-progress"];
      const uploadParts = () =>
        proxy.requests.filter((r) => r.method === "PUT" && r.url.includes("partNumber="));
      const creates = () =>
        proxy.requests.filter((r) => r.method === "POST" && /[?&]uploads(=|&|$)/.test(r.url));
      const random = seededRandom(2026);
      const signals = [...Array(10).fill("SIGKILL"), ...Array(10).fill("SIGINT")].sort(() => random() - 0.5);
      let kills = 0;
      for (const signal of signals) {
        const run = runLongbow(args, env);
        const before = uploadParts().length;
        // Wait for this run's first part on the wire (its upload is recorded by then: a kill
        // between CreateMultipartUpload and that record would leave a second upload, which
        // the end-of-migration sweep aborts), then a random moment more.
        for (let i = 0; i < 12_000 && uploadParts().length === before && run.child.exitCode === null; i++) {
          await new Promise((r) => setTimeout(r, 10));
        }
        if (run.child.exitCode !== null) {
          // finished before it could be interrupted
          if (process.env.LONGBOW_DEBUG_DIR)
            writeFileSync(join(process.env.LONGBOW_DEBUG_DIR, `run-${kills}-finished.log`), run.stderr());
          break;
        }
        if (uploadParts().length === before) throw new Error(`no part sent within 120 s: ${run.stderr()}`);
        await new Promise((r) => setTimeout(r, Math.floor(random() * 400)));
        run.child.kill(signal);
        const code = await run.exited;
        if (process.env.LONGBOW_DEBUG_DIR)
          writeFileSync(join(process.env.LONGBOW_DEBUG_DIR, `run-${kills}-${signal}.log`), run.stderr());
        if (code === 0) break;
        kills++;
        expect([130, null]).toContain(code);
      }
      const last = runLongbow(args, env);
      const lastCode = await last.exited;
      if (process.env.LONGBOW_DEBUG_DIR)
        writeFileSync(join(process.env.LONGBOW_DEBUG_DIR, "run-last.log"), last.stderr());
      expect(lastCode, last.stderr()).toBe(0);
      const report = JSON.parse(last.stdout());
      expect(report.migrations[0]).toMatchObject({
        objects: { total: 1, done: 1, pending: 0, failed: 0 },
        finished: true,
      });
      expect(report.queue.dead).toBe(0);
      expect(sha256(await getBytes(dst, db, "copy/big.bin"))).toBe(sha256(data));
      expect(kills).toBeGreaterThanOrEqual(10);
      expect(creates()).toHaveLength(1);
      expect(uploadParts().length).toBeLessThanOrEqual(parts + kills * partsInParallel);
      const left = await dst.send(new ListMultipartUploadsCommand({ Bucket: db }));
      expect(left.Uploads ?? []).toEqual([]);
    } finally {
      await proxy.close();
    }
  }, 600_000);
});
