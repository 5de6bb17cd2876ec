import { resolveSettings } from "../../worker/src/config/index.js";
import { type DatasetGroup, parseDataset } from "./dataset.js";
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
 * Longbow's tuned settings for a long link: more bytes in flight than the defaults (more
 * files and parts at once, larger parts) within a larger byte budget. Overridable by
 * `--tuned`.
 */
export const tunedSettings: Record<string, string> = {
  LONGBOW_FILES_IN_PARALLEL: "10",
  LONGBOW_PARTS_IN_PARALLEL: "20",
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

/** The tools a run compares, by name: rclone, defaults, tuned. */
export function toolsByName(
  names: string[],
  driverPath: string,
  tuned: Record<string, string>,
  nodeArgs: string[] = [],
): Tool[] {
  return names.map((n) => {
    switch (n) {
      case "rclone":
        return rcloneTool();
      case "defaults":
        return longbowTool("longbow defaults", driverPath, {}, nodeArgs);
      case "tuned":
        return longbowTool("longbow tuned", driverPath, tuned, nodeArgs);
      default:
        throw new Error(`unknown tool '${n}' (use rclone, defaults, tuned)`);
    }
  });
}
