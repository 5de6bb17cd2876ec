/**
 * Heap a mirror send holds per deletion while its compare runs (the safety stop needs the
 * whole count before any deletion is sent): the columns `send` keeps (key, size, ETag) against
 * whole deletion jobs. Keys are built flat, as a listing's parsed XML gives them.
 *
 *   node --expose-gc --import tsx bench/mirror-memory.ts [N]
 */
import { normalizeMigration } from "../worker/src/config/index.js";
import { deletionJob } from "../worker/src/mirror/index.js";

const n = Number(process.argv[2] ?? 200_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with node --expose-gc");
const m = normalizeMigration({
  name: "videos",
  source: { bucket: "my-global-bucket", prefix: "videos/", region: "us-east-1" },
  destination: { bucket: "my-china-bucket", prefix: "from-global/videos/", region: "cn-northwest-1" },
  mirror: true,
});
// a flat string, not a rope of template pieces
const keyOf = (i: number) =>
  Buffer.from(`from-global/videos/2026/11/${String(i).padStart(8, "0")}/clip.mp4`).toString();
const etagOf = (i: number) => Buffer.from(i.toString(16).padStart(32, "0")).toString();

function measure(label: string, fill: () => unknown): void {
  gc?.();
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const held = fill();
  gc?.();
  gc?.();
  const bytes = (process.memoryUsage().heapUsed - before) / n;
  console.log(
    JSON.stringify({
      layout: label,
      deletions: n,
      keyChars: keyOf(0).length,
      bytesPerDeletion: Math.round(bytes),
    }),
  );
  if (held === undefined) throw new Error("nothing held");
}

measure("columns (send)", () => {
  const held = { keys: [] as string[], sizes: [] as number[], etags: [] as string[] };
  for (let i = 0; i < n; i++) {
    held.keys.push(keyOf(i));
    held.sizes.push(1_000_000 + i);
    held.etags.push(etagOf(i));
  }
  return held;
});
measure("jobs", () =>
  Array.from({ length: n }, (_, i) =>
    deletionJob(m, { kind: "extra", destinationKey: keyOf(i), size: 1_000_000 + i, etag: etagOf(i) }),
  ),
);
