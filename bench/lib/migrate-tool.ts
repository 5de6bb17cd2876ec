import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import { createLedgerTable } from "../../worker/src/ledger/index.js";
import { resolveSettings } from "../../worker/src/settings/index.js";
import type { ServiceEndpoint, Tool, ToolEndpoint, ToolRunSpec, ToolStep } from "./tools.js";
import { baseEnv, describeSettings, writeProfiles } from "./tools.js";

/** The command a user runs from a clone: `node bin/longbow.js` (built JavaScript, see bin/). */
export const longbowBin = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "bin", "longbow.js");

const MiB = 1024 * 1024;

function budgetOf(settingsEnv: Record<string, string>): number {
  return resolveSettings({ ...settingsEnv }).byteBudget / MiB;
}

/** A migration file for this run's two sides, in its own folder; returns the folder. */
function writeMigration(run: ToolRunSpec, dir: string): string {
  const side = (e: ToolEndpoint) => ({
    bucket: e.bucket,
    ...(e.prefix === "" ? {} : { prefix: e.prefix }),
    region: e.region,
    endpoint: e.endpoint,
    credentials: { profile: e.name },
  });
  const migrations = join(dir, "migrations");
  mkdirSync(migrations, { recursive: true });
  // JSON is YAML: no serializer needed for a file the loader validates anyway
  const file = { name: "bench", source: side(run.source), destination: side(run.destination) };
  writeFileSync(join(migrations, "bench.yaml"), `${JSON.stringify(file, null, 2)}\n`);
  return migrations;
}

function runDir(run: ToolRunSpec, name: string): string {
  const dir = join(run.workDir, `${name.replaceAll(" ", "-")}-${run.runName.replaceAll(" ", "-")}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

function longbowEnv(run: ToolRunSpec, settingsEnv: Record<string, string>): NodeJS.ProcessEnv {
  return {
    ...baseEnv(),
    AWS_SHARED_CREDENTIALS_FILE: writeProfiles(run),
    AWS_CONFIG_FILE: join(run.workDir, "aws-config-none"),
    LONGBOW_LOG_LEVEL: "warn",
    ...settingsEnv,
  };
}

/** One `longbow` command of a tool's run: its arguments after the bin and its environment. */
interface LongbowStep {
  name: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

/**
 * A Longbow row: every run gets a folder of its own with the migration file for its two
 * sides; `steps` says which `longbow` commands run there, started as a user starts them
 * from a clone (`node [nodeArgs] bin/longbow.js ...`).
 */
function longbowTool(
  name: string,
  settingsEnv: Record<string, string>,
  nodeArgs: string[],
  steps: (run: ToolRunSpec, dir: string, migrations: string) => Promise<LongbowStep[]>,
): Tool {
  return {
    name,
    kind: "longbow",
    settings: describeSettings(settingsEnv, nodeArgs),
    budgetMiB: budgetOf(settingsEnv),
    steps: async (run): Promise<ToolStep[]> => {
      const dir = runDir(run, name);
      return (await steps(run, dir, writeMigration(run, dir))).map((step) => ({
        ...step,
        command: process.execPath,
        args: [...nodeArgs, longbowBin, ...step.args],
      }));
    },
  };
}

/**
 * `longbow migrate` as a user runs it from a clone: `node bin/longbow.js migrate` with a
 * generated migration file and a fresh state folder (so nothing is skipped as already
 * done): validate, list and compare both sides, queue every object in the embedded SQLite
 * queue and ledger, copy them with the worker loop, print the report.
 */
export function longbowMigrateTool(
  name: string,
  settingsEnv: Record<string, string> = {},
  nodeArgs: string[] = [],
): Tool {
  return longbowTool(name, settingsEnv, nodeArgs, async (run, dir, migrations) => [
    {
      name: "migrate",
      args: ["migrate", "--dir", migrations, "--state", join(dir, "state"), "--json", "--no-progress"],
      env: longbowEnv(run, settingsEnv),
    },
  ]);
}

/** A job queue and a ledger table of their own for one run, on the services endpoint. */
async function createQueueAndTable(
  services: ServiceEndpoint,
  name: string,
): Promise<{ queueUrl: string; tableName: string }> {
  const config = {
    endpoint: services.endpoint,
    region: services.region,
    credentials: { accessKeyId: services.accessKeyId, secretAccessKey: services.secretAccessKey },
  };
  const sqs = new SQSClient(config);
  const ddb = new DynamoDBClient(config);
  try {
    // long enough for the largest object of a suite; the worker extends it while it copies
    const queue = await sqs.send(
      new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: "600" } }),
    );
    await createLedgerTable(ddb, name);
    return { queueUrl: queue.QueueUrl ?? "", tableName: name };
  } finally {
    sqs.destroy();
    ddb.destroy();
  }
}

let clusterRuns = 0;

/**
 * Cluster mode as an operator runs it, on SQS and DynamoDB (the emulator's): `longbow send`
 * compares and queues, then one `longbow work --exit-when-idle` copies. Each is measured
 * on its own; the row's wall time and CPU are their sums.
 */
export function longbowClusterTool(
  name: string,
  settingsEnv: Record<string, string> = {},
  nodeArgs: string[] = [],
  workers = 1,
): Tool {
  return longbowTool(name, settingsEnv, nodeArgs, async (run, _dir, migrations) => {
    const { queueUrl, tableName } = await createQueueAndTable(
      run.services,
      `bench-${process.pid}-${++clusterRuns}`,
    );
    const env = {
      ...longbowEnv(run, settingsEnv),
      AWS_ACCESS_KEY_ID: run.services.accessKeyId,
      AWS_SECRET_ACCESS_KEY: run.services.secretAccessKey,
      AWS_REGION: run.services.region,
      AWS_ENDPOINT_URL_SQS: run.services.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: run.services.endpoint,
    };
    const cluster = ["--queue-url", queueUrl, "--table-name", tableName];
    return [
      { name: "send", args: ["send", "--dir", migrations, ...cluster], env },
      {
        name: "work",
        args: ["work", "--migrations-dir", migrations, ...cluster, "--exit-when-idle", "--no-metrics"],
        env,
        processes: workers,
      },
    ];
  });
}
