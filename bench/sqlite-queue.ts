/**
 * Receive + delete throughput of the embedded SQLite queue (what `longbow migrate` polls):
 * queues N messages, then receives 10 at a time and deletes each, as the runner does.
 *
 *   npx tsx bench/sqlite-queue.ts [N]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Job } from "../worker/src/job/index.js";
import { SqliteQueue } from "../worker/src/queue/index.js";

const n = Number(process.argv[2] ?? 2000);
const dir = mkdtempSync(join(tmpdir(), "longbow-queue-bench-"));
const queue = new SqliteQueue({ path: join(dir, "queue.db") });
const body = { source: { key: "x".repeat(200) } } as unknown as Job;
await queue.send(Array.from({ length: n }, () => body));
const started = performance.now();
let receives = 0;
for (;;) {
  const got = await queue.receive({ max: 10, waitSeconds: 0, visibilitySeconds: 60 });
  receives++;
  if (got.length === 0) break;
  for (const m of got) await queue.delete(m);
}
const us = ((performance.now() - started) * 1000) / n;
process.stdout.write(
  `${n} messages, ${receives} receives: ${us.toFixed(0)} µs per message (receive + delete)\n`,
);
rmSync(dir, { recursive: true, force: true });
