/**
 * The Longbow side of the benchmark, run as its own process (bundled by bench/run.ts) so
 * that its CPU time and peak RSS are measured alone: lists the source, then copies every
 * object through one TransferEngine (one byte budget, one transfer pool, admission by
 * connections: the object the worker loop and `longbow migrate` run), as a worker would.
 * Settings come from the LONGBOW_* environment.
 * Prints one JSON line with the outcome; exits 1 if any object was not copied.
 */
import { writeFileSync } from "node:fs";
import { ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import type { Job } from "../worker/src/job/index.js";
import { createS3Client } from "../worker/src/s3/index.js";
import { resolveSettings } from "../worker/src/settings/index.js";
import { copyObject, TransferEngine } from "../worker/src/transfer/index.js";

interface SideSpec {
  endpoint: string;
  region: string;
  profile: string;
  bucket: string;
  prefix: string;
}

async function listJobs(s3: S3Client, source: SideSpec, destination: SideSpec): Promise<Job[]> {
  const jobs: Job[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: source.bucket, Prefix: source.prefix, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) {
      const key = o.Key as string;
      jobs.push({
        migration: "bench",
        source: { bucket: source.bucket, key, size: o.Size ?? 0, etag: (o.ETag ?? "").replaceAll('"', "") },
        destination: {
          bucket: destination.bucket,
          key: destination.prefix + key.slice(source.prefix.length),
        },
      });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return jobs;
}

async function main(): Promise<number> {
  const spec = JSON.parse(process.env.LONGBOW_BENCH_SPEC ?? "{}") as {
    source: SideSpec;
    destination: SideSpec;
  };
  const settings = resolveSettings(process.env);
  const concurrency = settings.filesInParallel * settings.partsInParallel;
  const client = (s: SideSpec) =>
    createS3Client(
      { region: s.region, endpoint: s.endpoint, credentials: { profile: s.profile } },
      { maxSockets: concurrency, maxAttempts: settings.maxRetries },
    );
  const [source, destination] = await Promise.all([client(spec.source), client(spec.destination)]);
  const started = Date.now();
  const jobs = await listJobs(source, spec.source, spec.destination);
  const engine = new TransferEngine({ settings });
  const lane = { migration: "bench", partsInParallel: settings.partsInParallel };
  const statuses: Record<string, number> = {};
  // When each object's copy began and ended (ms from the start), for finding tails.
  const timeline: { key: string; size: number; start: number; end: number }[] = [];
  const failures: { key: string; error: string }[] = [];
  let bytes = 0;
  await Promise.all(
    jobs.map(async (job) => {
      const result = await engine.run(job.source.size, lane, () =>
        copyObject(job, { source, destination, settings, budget: engine.budget, pool: engine.pool }),
      );
      const end = Date.now() - started;
      timeline.push({ key: job.source.key, size: result.bytes, start: end - result.durationMs, end });
      statuses[result.status] = (statuses[result.status] ?? 0) + 1;
      bytes += result.bytes;
      if (result.status !== "copied" && result.status !== "identical") {
        failures.push({ key: job.source.key, error: result.error ?? result.status });
      }
    }),
  );
  const outcome = { objects: jobs.length, bytes, seconds: (Date.now() - started) / 1000, statuses, failures };
  process.stdout.write(`${JSON.stringify(outcome)}\n`);
  const timelineFile = process.env.LONGBOW_BENCH_TIMELINE;
  if (timelineFile) writeFileSync(timelineFile, JSON.stringify(timeline));
  return failures.length === 0 ? 0 : 1;
}

process.exitCode = await main();
