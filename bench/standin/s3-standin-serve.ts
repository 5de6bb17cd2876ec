/**
 * The S3 stand-in in a process of its own (for benches that measure their own process's CPU):
 * serves `bench/standin/s3-standin.ts` seeded with 1 KiB of 7s for every key of bucket
 * `src`, prints its endpoint on stdout and runs until killed.
 */
import { startS3Standin } from "./s3-standin.js";

const body = Buffer.alloc(1024, 7);
const standin = await startS3Standin({ seed: (bucket) => (bucket === "src" ? body : undefined) });
process.stdout.write(`${standin.endpoint}\n`);
