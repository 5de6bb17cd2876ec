import pkg from "../../../package.json" with { type: "json" };

/** The version of this Longbow, from package.json (inlined into the bundle at build time). */
export const longbowVersion: string = pkg.version;

/** What `longbow version --json` prints: the tool's version and the runtime it runs on. */
export interface VersionInfo {
  longbow: string;
  node: string;
  platform: string;
  arch: string;
}

/** The version and runtime of this process. */
export function versionInfo(): VersionInfo {
  return { longbow: longbowVersion, node: process.version, platform: process.platform, arch: process.arch };
}

/** The version line(s) for a person (`--version`) or a program (`--json`). */
export function renderVersion(json: boolean): string {
  return json ? `${JSON.stringify(versionInfo())}\n` : `${longbowVersion}\n`;
}

/**
 * True when the arguments after the program name only ask for the version, e.g.
 * `--version --json`: commander acts on `--version` as soon as it sees it, so it would never
 * read the `--json` that goes with it.
 */
export function asksOnlyVersion(args: readonly string[]): { json: boolean } | undefined {
  const known = new Set(["--version", "-V", "--json"]);
  if (!args.some((a) => a === "--version" || a === "-V")) return undefined;
  if (!args.every((a) => known.has(a))) return undefined;
  return { json: args.includes("--json") };
}
