import { resolveSettings } from "../../worker/src/settings/index.js";
import { type DatasetGroup, parseDataset } from "./dataset.js";
import { longbowMigrateTool } from "./migrate-tool.js";
import { longbowTool, rcloneTool, type Tool } from "./tools.js";

/** A comparison: one data set, copied by each tool over each path. */
export interface Suite {
  name: string;
  /** The issue that sets its targets. */
  issue: string;
  dataset: DatasetGroup[];
  paths: string[];
}

export const suites: Record<string, Suite> = {
  wan: {
    name: "wan",
    issue: "8",
    dataset: parseDataset("1x256MiB,8x32MiB,200x64KiB,3x0"),
    paths: ["direct", "wan"],
  },
  transfer: {
    name: "transfer",
    issue: "3",
    dataset: parseDataset("1x1GiB,16x64MiB,500x64KiB"),
    paths: ["direct"],
  },
};

/**
 * Longbow's tuned settings for a long link: every part of a 256 MiB object (32 × 8 MiB) in
 * flight at once, so the last large object does not crawl at 20 connections' pace, and a
 * byte budget to match (32 × 8 MiB = 256 MiB per object). On the 2-core benchmark machine
 * more files at once (10 × 20) only added contention with the emulator. Overridable by
 * `--tuned`.
 */
export const tunedSettings: Record<string, string> = {
  LONGBOW_FILES_IN_PARALLEL: "6",
  LONGBOW_PARTS_IN_PARALLEL: "32",
  LONGBOW_BYTE_BUDGET_MB: "1024",
};

/**
 * Node flags of the tuned tool, as the worker fleet's systemd unit starts the engine: GC on
 * the main thread (7 % less client CPU on 2 cores while socket reads allocated a buffer
 * each; within noise since GETs read into part buffers, see bench/RESULTS.md).
 */
export const tunedNodeArgs = ["--single-threaded-gc"];

/** Parses `KEY=VALUE,KEY=VALUE` and checks the values the way the worker will. */
export function parseSettingsEnv(text: string): Record<string, string> {
  const env = Object.fromEntries(
    text
      .split(",")
      .filter((p) => p.trim() !== "")
      .map((p) => {
        const [k = "", ...v] = p.split("=");
        return [k.trim(), v.join("=").trim()];
      }),
  );
  resolveSettings(env);
  return env;
}

/** The tools a run compares, by name: rclone, defaults, tuned, migrate. */
export function toolsByName(
  names: string[],
  driverPath: string,
  tuned: Record<string, string>,
  nodeArgs: string[] = [],
  /** The bundled CLI (`npm run build`'s dist/longbow.mjs), for `migrate`. */
  cliPath?: string,
): Tool[] {
  return names.map((n) => {
    switch (n) {
      case "rclone":
        return rcloneTool();
      case "defaults":
        return longbowTool("longbow defaults", driverPath, {}, nodeArgs);
      case "tuned":
        return longbowTool("longbow tuned", driverPath, tuned, [...tunedNodeArgs, ...nodeArgs]);
      case "migrate":
        if (cliPath === undefined) throw new Error("the migrate tool needs the bundled CLI");
        return longbowMigrateTool("longbow migrate", cliPath, {}, nodeArgs);
      default:
        throw new Error(`unknown tool '${n}' (use rclone, defaults, tuned, migrate)`);
    }
  });
}
