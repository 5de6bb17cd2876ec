import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Tool, ToolEndpoint } from "./tools.js";
import { baseEnv, describeSettings, writeProfiles } from "./tools.js";

/**
 * `longbow migrate` as a user runs it, bundled like `npm run build`: validate a migration
 * file, list and compare both sides, queue every object in the embedded SQLite queue and
 * ledger, copy them with the worker loop (`Runner`), print the report. Unlike the driver,
 * this measures the whole product path, compare and ledger included. Each run gets a fresh
 * state folder, so nothing is skipped as already done.
 */
export function longbowMigrateTool(
  name: string,
  cliPath: string,
  settingsEnv: Record<string, string> = {},
  nodeArgs: string[] = [],
): Tool {
  const side = (e: ToolEndpoint) => ({
    bucket: e.bucket,
    ...(e.prefix === "" ? {} : { prefix: e.prefix }),
    region: e.region,
    endpoint: e.endpoint,
    credentials: { profile: e.name },
  });
  return {
    name,
    settings: describeSettings(settingsEnv, nodeArgs),
    command: (run) => {
      const dir = join(
        run.workDir,
        `migrate-${run.runName.replaceAll(" ", "-")}-${name.replaceAll(" ", "-")}`,
      );
      const migrations = join(dir, "migrations");
      mkdirSync(migrations, { recursive: true });
      // JSON is YAML: no serializer needed for a file the loader validates anyway
      const file = { name: "bench", source: side(run.source), destination: side(run.destination) };
      writeFileSync(join(migrations, "bench.yaml"), `${JSON.stringify(file, null, 2)}\n`);
      return {
        command: process.execPath,
        args: [
          ...nodeArgs,
          cliPath,
          "migrate",
          "--dir",
          migrations,
          "--state",
          join(dir, "state"),
          "--json",
          "--no-progress",
        ],
        env: {
          ...baseEnv(),
          AWS_SHARED_CREDENTIALS_FILE: writeProfiles(run),
          AWS_CONFIG_FILE: join(run.workDir, "aws-config-none"),
          LONGBOW_LOG_LEVEL: "warn",
          ...settingsEnv,
        },
      };
    },
  };
}
