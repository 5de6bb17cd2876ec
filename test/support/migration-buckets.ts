import { type Migration, normalizeMigration } from "../../worker/src/config/index.js";
import type { Job } from "../../worker/src/job/index.js";
import { s3For, uniqueBucket } from "../emulator/clients.js";
import type { EmulatorSide } from "../emulator/emulator.js";
import { createBucket } from "./s3-objects.js";

/**
 * A migration `name` from a fresh bucket on `source` (prefix `in/`) to a fresh one on
 * `destination` (prefix `out/`), and the job for one of its keys.
 */
export async function migrationBetween(
  source: EmulatorSide,
  destination: EmulatorSide,
  name: string,
): Promise<{ m: Migration; job: (key: string, size: number) => Job }> {
  const [sb, db] = [uniqueBucket(`${name}-src`), uniqueBucket(`${name}-dst`)];
  await createBucket(s3For(source), sb, source.region);
  await createBucket(s3For(destination), db, destination.region);
  const m = normalizeMigration({
    name,
    source: { bucket: sb, prefix: "in/", region: source.region },
    destination: { bucket: db, prefix: "out/", region: destination.region },
  });
  const job = (key: string, size: number): Job => ({
    migration: name,
    source: { bucket: sb, key: `in/${key}`, size },
    destination: { bucket: db, key: `out/${key}` },
  });
  return { m, job };
}
