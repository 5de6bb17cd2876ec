// `npm run demo`: a whole local migration against two emulated partitions, in one command.
// Starts the "global" and "china" emulators, seeds a source bucket, runs `longbow migrate`
// from demo-migration.yaml, prints the report, checks every copy byte for byte, and stops
// the emulators. Exit code 0 when every object arrived intact.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { s3For } from "../test/emulator/clients.js";
import { startEmulators } from "../test/emulator/emulator.js";
import { writeProfiles } from "../test/support/cli.js";
import { bytesFor, createBucket, getBytes, putObject } from "../test/support/s3-objects.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const KiB = 1024;
const MiB = 1024 * KiB;

/** The sample source: mixed sizes, nested prefixes, awkward keys, and files the ignore rules skip. */
const sample: { key: string; size: number; ignored?: boolean }[] = [
  { key: "photos/2024/beach.jpg", size: 180 * KiB },
  { key: "photos/2024/family/portrait.jpg", size: 96 * KiB },
  { key: "photos/2025/trips/road trip day 1.jpg", size: 240 * KiB },
  { key: "photos/2025/c++ notes+ideas.txt", size: 3 * KiB },
  { key: "photos/2025/日本/東京タワー.jpg", size: 128 * KiB },
  { key: "photos/2025/ünïcødé & spaces/å b.png", size: 64 * KiB },
  { key: "photos/empty-marker", size: 0 },
  { key: "photos/videos/holiday.mp4", size: 12 * MiB },
  { key: "photos/2025/upload.tmp", size: 5 * KiB, ignored: true },
  { key: "photos/2024/readme.md", size: 1 * KiB, ignored: true },
];

const destinationKey = (key: string) => `mirror/${key}`;
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

async function listAll(s3: S3Client, bucket: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const o of out.Contents ?? []) if (o.Key) keys.push(o.Key);
    token = out.NextContinuationToken;
  } while (token);
  return keys;
}

function runMigrate(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [join(root, "bin", "longbow.js"), ...args], {
      cwd: root,
      env,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.once("error", reject);
    child.once("exit", (code) => resolveRun({ code, stdout }));
  });
}

async function main(): Promise<number> {
  const work = mkdtempSync(join(tmpdir(), "longbow-demo-"));
  process.stdout.write("Starting the two emulated partitions (global us-east-1, china cn-northwest-1)...\n");
  const emulators = await startEmulators();
  try {
    const { global, china } = emulators.info;
    const [src, dst] = [s3For(global), s3For(china)];
    const template = readFileSync(join(root, "demo", "demo-migration.yaml"), "utf8");
    const migration = template
      .replace("__GLOBAL_ENDPOINT__", global.endpoint)
      .replace("__CHINA_ENDPOINT__", china.endpoint);
    const sourceBucket = /bucket: (\S+)/.exec(migration)?.[1] ?? "demo-photos-global";
    const destinationBucket = "demo-photos-china";
    await createBucket(src, sourceBucket, global.region);
    await createBucket(dst, destinationBucket, china.region);
    for (const o of sample) await putObject(src, sourceBucket, o.key, bytesFor(o.key, o.size));
    process.stdout.write(
      `Seeded s3://${sourceBucket}: ${sample.length} objects (2 of them ignored by the migration).\n`,
    );

    const dir = join(work, "migrations");
    mkdirSync(dir);
    writeFileSync(join(dir, "demo-photos.yaml"), migration);
    const env = {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      ...writeProfiles(join(work, "aws"), [global, china]),
    };
    process.stdout.write("\n$ longbow migrate --dir <demo migrations> --state <temp>/.longbow\n\n");
    const run = await runMigrate(["migrate", "--dir", dir, "--state", join(work, ".longbow")], env);
    process.stdout.write(`\n${run.stdout}\n`);
    if (run.code !== 0) {
      process.stderr.write(`demo: longbow migrate exited with ${run.code}\n`);
      return 1;
    }

    let bad = 0;
    const present = new Set(await listAll(dst, destinationBucket));
    for (const o of sample) {
      const key = destinationKey(o.key);
      if (o.ignored) {
        if (present.has(key)) {
          process.stdout.write(`  ✗ ${o.key} should have been ignored\n`);
          bad++;
        }
        continue;
      }
      const [a, b] = [
        bytesFor(o.key, o.size),
        present.has(key) ? await getBytes(dst, destinationBucket, key) : undefined,
      ];
      const ok = b !== undefined && sha(a) === sha(b);
      if (!ok) bad++;
      process.stdout.write(`  ${ok ? "✓" : "✗"} ${o.key} → ${key} (${o.size} bytes)\n`);
    }
    process.stdout.write(
      bad === 0
        ? "\nEvery destination object equals its source, and ignored files stayed behind.\n"
        : `\n${bad} object(s) wrong\n`,
    );
    return bad === 0 ? 0 : 1;
  } finally {
    await emulators.stop();
    rmSync(work, { recursive: true, force: true });
    process.stdout.write("Emulators stopped.\n");
  }
}

process.exitCode = await main();
