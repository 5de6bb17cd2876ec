import { constants, type Stats } from "node:fs";
import { lstat, open, readdir, readlink, realpath, stat } from "node:fs/promises";
import { join, sep } from "node:path";
import { LongbowError } from "../errors.js";
import { formatBytes, inputLimits } from "./input-limits.js";
import { fileProblem, type Problem } from "./problem.js";

/** True for the files the loader reads: `*.yaml` and `*.yml`. */
export const isMigrationFileName = (name: string) => /\.ya?ml$/.test(name);

/**
 * Names that look meant as migrations but are not read (`x.YAML`, `x.json`, `x.yaml.bak`):
 * each gets a warning, so a folder of them never validates silently as "0 migrations".
 * `schema.json` is the folder's own schema.
 */
const isLookalike = (name: string) =>
  !isMigrationFileName(name) && name !== "schema.json" && /\.(ya?ml|json)\b/i.test(name);

/** One entry of the migrations folder: a migration file's bytes, or the problem with it. */
export type FolderEntry = { file: string; bytes: Uint8Array } | { file: string; problem: Problem };

async function readMigrationsDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    throw new LongbowError("MigrationsDirUnreadable", `cannot read the migrations folder '${dir}'`, {
      cause: err,
      context: { file: dir },
    });
  }
}

const tooLarge = (file: string, size: number) =>
  fileProblem(
    file,
    `file is ${formatBytes(size)}; a migration file may be at most ${formatBytes(inputLimits.maxFileBytes)}`,
  );

/** What stops reading a file of this kind, or undefined for a regular file. */
function kindProblem(file: string, st: Stats, dir: string): Problem | undefined {
  if (st.isDirectory())
    return fileProblem(file, `is a folder, not a migration file: rename it or move it out of ${dir}`);
  if (!st.isFile()) return fileProblem(file, "is not a regular file (a pipe, socket or device): not read");
  if (st.size > inputLimits.maxFileBytes) return tooLarge(file, st.size);
  return undefined;
}

/**
 * Reads one entry named like a migration. A symbolic link is followed only to a regular file
 * inside the folder; the file is opened without following links and without blocking (a pipe
 * named `x.yaml` must not hang the run), and read up to the size limit only.
 */
async function readEntry(dir: string, realDir: string, file: string): Promise<FolderEntry> {
  const link = await lstat(file);
  let target = file;
  if (link.isSymbolicLink()) {
    const to = await readlink(file);
    try {
      target = await realpath(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === "ELOOP" ? "is part of a loop of links" : "does not exist";
      return { file, problem: fileProblem(file, `is a symbolic link to '${to}', which ${why}`) };
    }
    if (!target.startsWith(realDir + sep)) {
      return {
        file,
        problem: fileProblem(
          file,
          `is a symbolic link to '${to}', outside ${dir}: links out of the folder are not followed`,
        ),
      };
    }
  }
  const bad = kindProblem(file, link.isSymbolicLink() ? await stat(target) : link, dir);
  if (bad) return { file, problem: bad };
  const handle = await open(
    target,
    constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0),
  );
  try {
    const st = await handle.stat();
    const changed = kindProblem(file, st, dir);
    if (changed) return { file, problem: changed };
    const buffer = Buffer.alloc(inputLimits.maxFileBytes + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > inputLimits.maxFileBytes) return { file, problem: tooLarge(file, length) };
    }
    return { file, bytes: buffer.subarray(0, length) };
  } finally {
    await handle.close();
  }
}

/**
 * Every entry of `dir` named like a migration (`*.yaml`, `*.yml`), in name order, each read or
 * turned into a problem against its own name, so one bad entry never hides the others; plus a
 * warning per look-alike name that is not read.
 */
export async function readMigrationFolder(dir: string): Promise<FolderEntry[]> {
  const names = (await readMigrationsDir(dir)).sort();
  const realDir = await realpath(dir);
  const out: FolderEntry[] = [];
  for (const name of names) {
    const file = join(dir, name);
    if (isLookalike(name)) {
      const problem = fileProblem(
        file,
        `is not read: migration files end in .yaml or .yml (lower case); rename it, or move it out of ${dir}`,
        "warning",
      );
      out.push({ file, problem });
      continue;
    }
    if (!isMigrationFileName(name)) continue;
    try {
      out.push(await readEntry(dir, realDir, file));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      out.push({ file, problem: fileProblem(file, `cannot be read (${code ?? String(err)})`) });
    }
  }
  return out;
}
