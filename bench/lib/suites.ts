import { resolveSettings } from "../../worker/src/settings/index.js";
import { type DatasetGroup, parseDataset } from "./dataset.js";
import { longbowClusterTool, longbowMigrateTool } from "./migrate-tool.js";
import { originalTool } from "./original-tool.js";
import { rcloneSweep, rcloneTool, type Tool } from "./tools.js";

/** A comparison: one data set, copied by each tool over each path. */
export interface Suite {
  name: string;
  /** The issue that sets its targets. */
  issue: string;
  dataset: DatasetGroup[];
  paths: string[];
  /** The tools it runs unless `--tools` says otherwise. */
  tools: string[];
}

const mixed = "1x256MiB,8x32MiB,200x64KiB,3x0";

export const suites: Record<string, Suite> = {
  wan: {
    name: "wan",
    issue: "8, 18",
    dataset: parseDataset(mixed),
    paths: ["direct", "wan"],
    tools: ["rclone", "migrate", "tuned", "original"],
  },
  small: {
    name: "small",
    issue: "18",
    dataset: parseDataset("2000x1KiB"),
    paths: ["direct"],
    tools: ["rclone", "migrate", "cluster"],
  },
  // issue 21.5: many small objects through send and one or two workers, beside the original's
  // jobsender + worker (5,000 rather than the issue's 20,000 keeps a round within minutes)
  "cluster-small": {
    name: "cluster-small",
    issue: "21",
    dataset: parseDataset("5000x1KiB"),
    paths: ["direct"],
    tools: ["rclone-wide", "cluster", "cluster-2", "original"],
  },
  cluster: {
    name: "cluster",
    issue: "18",
    dataset: parseDataset(mixed),
    paths: ["direct", "wan"],
    tools: ["rclone", "cluster", "original"],
  },
  transfer: {
    name: "transfer",
    issue: "3",
    dataset: parseDataset("1x1GiB,16x64MiB,500x64KiB"),
    paths: ["direct"],
    tools: ["rclone", "migrate"],
  },
  // `--quick`: the regression guard, both emulator conditions in under three minutes; rclone
  // only at the sweep's wider settings (5 × 20 was never its best here, and takes longest)
  quick: {
    name: "quick",
    issue: "18",
    dataset: parseDataset("1x24MiB,3x8MiB,30x64KiB,2x0"),
    paths: ["direct", "wan"],
    tools: ["rclone-wide", "migrate"],
  },
  "quick-small": {
    name: "quick-small",
    issue: "18",
    dataset: parseDataset("150x1KiB"),
    paths: ["direct"],
    tools: ["rclone-wide", "migrate"],
  },
};

/** What `npm run bench` runs without `--suite`; `--quick` runs the quick pair instead. */
export const defaultSuites = ["wan", "small"];
export const quickSuites = ["quick", "quick-small"];

/**
 * Longbow's tuned settings for a long link: every part of a 256 MiB object (32 × 8 MiB) in
 * flight at once, so the last large object does not crawl at 20 connections' pace, and a
 * byte budget to match (32 × 8 MiB = 256 MiB per object). On the 2-core benchmark machine
 * more files at once (10 × 20) only added contention with the emulator. Overridable by
 * `--tuned`; given as `LONGBOW_*` variables, as a user would.
 */
export const tunedSettings: Record<string, string> = {
  LONGBOW_FILES_IN_PARALLEL: "6",
  LONGBOW_PARTS_IN_PARALLEL: "32",
  LONGBOW_BYTE_BUDGET_MB: "1024",
};

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

export interface ToolOptions {
  tuned: Record<string, string>;
  /** Extra node flags for Longbow's processes, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
  /** The original's cluster code (`--original DIR`); without it the original is left out. */
  originalDir?: string;
  /** The Python that runs the original (one with boto3). */
  python: string;
}

/**
 * The tools a run compares, by name: `rclone` (the sweep: 5 × 20, 32 × 8, 64 × 4),
 * `rclone-5x20` (the original's settings only), `rclone-wide` (the sweep without 5 × 20), `migrate`, `tuned` (migrate with the tuned
 * settings), `cluster` (send + work), `cluster-2` (send, then two `work` at once),
 * `original` (only with `--original`).
 */
export function toolsByName(names: string[], options: ToolOptions): Tool[] {
  const nodeArgs = options.nodeArgs ?? [];
  return names.flatMap((n): Tool[] => {
    switch (n) {
      case "rclone":
        return rcloneSweep.map((s) => rcloneTool(s));
      case "rclone-5x20":
        return [rcloneTool()];
      case "rclone-wide":
        return rcloneSweep.filter((s) => s.transfers > 5).map((s) => rcloneTool(s));
      case "migrate":
        return [longbowMigrateTool("longbow migrate", {}, nodeArgs)];
      case "tuned":
        return [longbowMigrateTool("longbow migrate tuned", options.tuned, nodeArgs)];
      case "cluster":
        return [longbowClusterTool("longbow send+work", {}, nodeArgs)];
      case "cluster-2":
        return [longbowClusterTool("longbow send+work x2", {}, nodeArgs, 2)];
      case "original":
        return options.originalDir === undefined ? [] : [originalTool(options.originalDir, options.python)];
      default:
        throw new Error(
          `unknown tool '${n}' (use rclone, rclone-5x20, rclone-wide, migrate, tuned, cluster, cluster-2, original)`,
        );
    }
  });
}
