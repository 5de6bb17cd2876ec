import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import Database from "better-sqlite3";
import fc from "fast-check";
import { afterAll, describe, expect, inject, it } from "vitest";
import type { Job } from "../../../worker/src/job/index.js";
import { type Ledger, type LedgerItem, SqliteLedger } from "../../../worker/src/ledger/index.js";
import { dynamoFor } from "../../emulator/clients.js";
import { createTestDynamoLedger } from "../../support/ledgers.js";

const { global } = inject("emulator");
const dir = mkdtempSync(join(tmpdir(), "longbow-counters-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const keys = ["a", "b", "c", "d"];
const job = (key: string, etag: string, size: number): Job => ({
  migration: "m",
  source: { bucket: "src", key, size, etag },
  destination: { bucket: "dst", key },
});

/** One step of a worker or a sender, as fast-check generates them. */
type Step =
  | { op: "enqueue"; keys: string[]; etag: string; size: number; requeuePending: boolean }
  | { op: "start"; key: string; etag: string; size: number }
  | { op: "finish"; key: string; etag: string; size: number; status: "done" | "failed" | "skipped" }
  | { op: "noteError"; key: string; etag: string; size: number }
  | { op: "kill"; key: string; etag: string; size: number }
  /** Mirror mode: a deletion sent, and its end (deleted or kept). */
  | { op: "enqueueDeletion"; keys: string[]; size: number }
  | { op: "finishDeletion"; key: string; size: number; status: "deleted" | "skipped" };

const deletion = (key: string, size: number): Job => ({
  migration: "m",
  action: "delete",
  source: { bucket: "src", key },
  destination: { bucket: "dst", key, etag: "d1", size },
});

const keyArb = fc.constantFrom(...keys);
const etagArb = fc.constantFrom("e1", "e2");
const sizeArb = fc.constantFrom(0, 10, 300);
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    op: fc.constant("enqueue" as const),
    keys: fc.subarray(keys, { minLength: 1 }),
    etag: etagArb,
    size: sizeArb,
    requeuePending: fc.boolean(),
  }),
  fc.record({ op: fc.constant("start" as const), key: keyArb, etag: etagArb, size: sizeArb }),
  fc.record({
    op: fc.constant("finish" as const),
    key: keyArb,
    etag: etagArb,
    size: sizeArb,
    status: fc.constantFrom("done" as const, "failed" as const, "skipped" as const),
  }),
  fc.record({ op: fc.constant("noteError" as const), key: keyArb, etag: etagArb, size: sizeArb }),
  fc.record({ op: fc.constant("kill" as const), key: keyArb, etag: etagArb, size: sizeArb }),
  fc.record({
    op: fc.constant("enqueueDeletion" as const),
    keys: fc.subarray(keys, { minLength: 1 }),
    size: sizeArb,
  }),
  fc.record({
    op: fc.constant("finishDeletion" as const),
    key: keyArb,
    size: sizeArb,
    status: fc.constantFrom("deleted" as const, "skipped" as const),
  }),
);

const t0 = new Date("2026-11-26T01:00:00Z");

/** Runs one worker's (or sender's) steps in order; a "kill" saves a resume point and walks away. */
async function play(ledger: Ledger, worker: string, steps: readonly Step[]): Promise<void> {
  let attempt = 0;
  for (const s of steps) {
    attempt++;
    const run = { workerId: worker, attempt, startedAt: t0.toISOString() };
    const endedAt = new Date(t0.getTime() + attempt * 1000).toISOString();
    if (s.op === "enqueue") {
      await ledger.enqueue(
        s.keys.map((k) => job(k, s.etag, s.size)),
        t0,
        { requeuePending: s.requeuePending },
      );
      continue;
    }
    if (s.op === "enqueueDeletion") {
      await ledger.enqueue(
        s.keys.map((k) => deletion(k, s.size)),
        t0,
      );
      continue;
    }
    if (s.op === "finishDeletion") {
      await ledger.finish(deletion(s.key, s.size), {
        ...run,
        status: s.status,
        endedAt,
        ...(s.status === "deleted" ? { bytes: s.size } : { reason: "kept" }),
      });
      continue;
    }
    const j = job(s.key, s.etag, s.size);
    if (s.op === "start" || s.op === "kill") {
      await ledger
        .resumeStore(run)
        .save(j, { uploadId: `u-${worker}-${attempt}`, partSize: 5, sourceEtag: s.etag });
    } else if (s.op === "noteError") {
      await ledger.noteError(j, run, "transient");
    } else {
      await ledger.finish(j, {
        ...run,
        status: s.status,
        endedAt,
        bytes: s.size,
        sourceEtag: s.etag,
        ...(s.status === "done" ? {} : { reason: "because" }),
      });
    }
  }
}

/** Counters recomputed from the items themselves: what the ledger's counters must equal. */
function recount(items: readonly LedgerItem[]) {
  const out: Record<string, { objects: number; bytes: number }> = {
    pending: { objects: 0, bytes: 0 },
    done: { objects: 0, bytes: 0 },
    failed: { objects: 0, bytes: 0 },
    skipped: { objects: 0, bytes: 0 },
    deleted: { objects: 0, bytes: 0 },
  };
  for (const item of items) {
    const bucket = item.status === "queued" || item.status === "running" ? "pending" : item.status;
    // an item written only by a resume point or an error note (an S3-event job) is counted nowhere yet
    if (item.countedAs === undefined) continue;
    const t = out[bucket] as { objects: number; bytes: number };
    t.objects++;
    t.bytes += item.size;
  }
  return out;
}

const implementations: [string, () => Promise<{ ledger: Ledger; items: () => Promise<LedgerItem[]> }>][] = [
  [
    "SQLite",
    async () => {
      const path = join(dir, `${Math.random()}.db`);
      const ledger = new SqliteLedger({ path });
      return {
        ledger,
        items: async () => {
          const db = new Database(path, { readonly: true });
          try {
            return db
              .prepare<[], { item: string }>("SELECT item FROM objects")
              .all()
              .map((r) => JSON.parse(r.item) as LedgerItem);
          } finally {
            db.close();
          }
        },
      };
    },
  ],
  [
    "DynamoDB",
    async () => {
      const client = dynamoFor(global);
      const { ledger, tableName } = await createTestDynamoLedger(client);
      return {
        ledger,
        items: async () => {
          const out = await client.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
          return (out.Items ?? [])
            .map((i) => unmarshall(i))
            .filter((i) => String(i.sk) === "OBJ")
            .map((i) => i as unknown as LedgerItem);
        },
      };
    },
  ],
];

describe.each(implementations)("%s ledger counters", (_name, make) => {
  it("equal a recount of the items after any sequence of two workers and a sender racing", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(stepArb, { minLength: 1, maxLength: 12 }),
        fc.array(stepArb, { minLength: 1, maxLength: 12 }),
        fc.array(stepArb, { minLength: 1, maxLength: 6 }),
        async (first, second, sender) => {
          const { ledger, items } = await make();
          try {
            await Promise.all([
              play(ledger, "w1", first),
              play(ledger, "w2", second),
              play(ledger, "send", sender),
            ]);
            const { counters } = await ledger.summary("m");
            const all = await items();
            expect(counters).toEqual(recount(all));
            // and every item is counted where its state says
            for (const item of all.filter((i) => i.countedAs !== undefined)) {
              const bucket = item.status === "queued" || item.status === "running" ? "pending" : item.status;
              expect(item.countedAs, item.sourceKey).toBe(bucket);
            }
          } finally {
            await ledger.close();
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
