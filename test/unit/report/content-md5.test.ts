import { describe, expect, it } from "vitest";
import type { Job } from "../../../worker/src/job/index.js";
import { SqliteLedger } from "../../../worker/src/ledger/index.js";
import { buildReport, renderMigrationMarkdown } from "../../../worker/src/report/index.js";

const now = new Date("2026-12-02T02:00:00Z");

describe("copies to an SSE-KMS destination in the ledger and the report", () => {
  it("are counted under content-md5 and named as such; the line says nothing of it when there are none", async () => {
    const ledger = new SqliteLedger({ path: ":memory:" });
    const job = (key: string): Job => ({
      migration: "m",
      source: { bucket: "s", key, size: 10, etag: "e" },
      destination: { bucket: "d", key },
    });
    await ledger.enqueue([job("a"), job("b")], now);
    const run = { workerId: "w", attempt: 1, startedAt: now.toISOString(), endedAt: now.toISOString() };
    await ledger.finish(job("a"), { ...run, status: "done", verification: "source-etag" });
    const [before] = (await buildReport({ ledger, now: () => now })).migrations;
    expect(before && renderMigrationMarkdown(before)).not.toContain("Content-MD5");
    await ledger.finish(job("b"), { ...run, status: "done", verification: "content-md5" });
    expect(await ledger.get(job("b"))).toMatchObject({ verification: "content-md5" });
    const [m] = (await buildReport({ ledger, now: () => now })).migrations;
    if (!m) throw new Error("one migration expected");
    expect(m.verified["content-md5"]).toEqual({ objects: 1, bytes: 10 });
    expect(renderMigrationMarkdown(m)).toContain(
      "Verified: **1** against the source's ETag · **0** against its checksum · **0** by parts only · **1** by Content-MD5 (destination ETag not an MD5: SSE-KMS)",
    );
    await ledger.close();
  });
});
