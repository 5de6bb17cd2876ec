import { existsSync } from "node:fs";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { InvalidArgumentError } from "commander";
import { ClientSet, dynamoLedger, migrationClients, stateFiles } from "../../backends/index.js";
import { regionStatus } from "../../config/index.js";
import { type Ledger, SqliteLedger } from "../../ledger/index.js";
import { createLogger } from "../../log/index.js";
import {
  assemblePlan,
  type MigrationPlan,
  MigrationPlanBuilder,
  partRulesOf,
  planMigration,
  renderPlanJson,
  renderPlanMarkdown,
} from "../../plan/index.js";
import { resolveSettings } from "../../settings/index.js";
import type { RegisterCommand } from "../commands.js";
import { withExitCodes } from "../exit-codes.js";
import { positiveDecimal, wholeNumber } from "../flags.js";
import { UsageError } from "../usage-error.js";
import { chooseMigrations, loadValidMigrations } from "./load-valid.js";
import { type MigrationsDirFlags, migrationsDirOption } from "./shared-options.js";

interface PlanFlags extends MigrationsDirFlags {
  state?: string;
  tableName?: string;
  migration?: string;
  json?: boolean;
  throughput: number;
  parallelism: number;
  depth: number;
  instances: number;
  instanceTypes?: string[];
  fleetRegion?: string;
}

/** `--instance-types c5.large,m5.large`: EC2 type names, at most 20. */
function instanceTypeList(raw: string): string[] {
  const types = raw.split(",").map((t) => t.trim());
  if (types.length > 20 || !types.every((t) => /^[a-z][a-z0-9-]{0,20}\.[a-z0-9]{1,16}$/.test(t)))
    throw new InvalidArgumentError("expected EC2 instance types separated by commas, like c5.large,m5.large");
  return types;
}

/** `--fleet-region us-east-1`: a region the AWS SDK knows or whose name fits a partition. */
function awsRegion(raw: string): string {
  if (regionStatus(raw).kind === "impossible")
    throw new InvalidArgumentError("expected an AWS region, like us-east-1 or cn-northwest-1");
  return raw;
}

/**
 * The ledger a plan reads what each copy was made from, when one is reachable: a table
 * (flag, else LONGBOW_TABLE_NAME) or an existing local state folder. Read only: a missing
 * local ledger is not created.
 */
async function provenance(
  flags: PlanFlags,
  env: NodeJS.ProcessEnv,
): Promise<{ ledger: Ledger; close(): Promise<void> } | undefined> {
  const table = flags.tableName ?? env.LONGBOW_TABLE_NAME;
  if (table) {
    const dynamo = new DynamoDBClient({});
    return { ledger: dynamoLedger(dynamo, table), close: async () => dynamo.destroy() };
  }
  if (flags.state === undefined) return undefined;
  const file = stateFiles(flags.state).ledger;
  if (!existsSync(file))
    throw new UsageError(`--state ${flags.state}: no ledger there (${file}); nothing was created`);
  const ledger = new SqliteLedger({ path: file });
  return { ledger, close: () => ledger.close() };
}

/**
 * `longbow plan`: compares each enabled migration (or the one named) and prints the plan as
 * Markdown or JSON on stdout. A migration whose compare fails is reported in the plan and
 * makes the exit code 1; the others are still planned.
 */
export const registerPlan: RegisterCommand = (program) => {
  const cmd = program
    .command("plan")
    .description("compare source and destination and show what would be copied")
    .addOption(migrationsDirOption)
    .option("--migration <name>", "plan only this migration (even when disabled)")
    .option("--json", "print the plan as JSON instead of Markdown")
    .option("--throughput <MBps>", "throughput the ETA assumes, in MB/s", positiveDecimal, 100)
    .option("--parallelism <n>", "partitions listed at once", wholeNumber({ max: 1000 }), 16)
    .option("--depth <n>", "prefix levels the key space is split by", wholeNumber({ min: 0, max: 8 }), 1)
    .option(
      "--instances <n>",
      "cost estimate: instances copying, together at --throughput",
      wholeNumber({ max: 1000 }),
      1,
    )
    .option(
      "--instance-types <list>",
      "cost estimate: the fleet's instance types, comma-separated (default: the stack's default mix)",
      instanceTypeList,
    )
    .option(
      "--fleet-region <region>",
      "cost estimate: the fleet's region (default: the migration's global-partition side)",
      awsRegion,
    )
    .option("--state <dir>", "the local ledger to read provenance from (read only; nothing is created)")
    .option(
      "--table-name <name>",
      "the cluster's ledger table to read provenance from (env LONGBOW_TABLE_NAME)",
    )
    .action(async (flags: PlanFlags) => {
      const throughput = flags.throughput * 1_000_000;
      const { parallelism, depth } = flags;
      const settings = resolveSettings(process.env);
      const logger = createLogger({ level: settings.logLevel });
      const loaded = await loadValidMigrations(flags.dir, "plan");
      if (loaded === undefined) {
        process.exitCode = 1;
        return;
      }
      const chosen = chooseMigrations(
        loaded.map((l) => l.migration),
        flags.migration,
        flags.dir,
        "plan",
      );
      const abort = new AbortController();
      process.once("SIGINT", () => abort.abort());
      const copyRecords = await provenance(flags, process.env);
      const clients = new ClientSet(migrationClients(settings, { logger }));
      const plans = [];
      try {
        for (const m of chosen) {
          let planned: MigrationPlan;
          try {
            const { source, destination } = await clients.get(m);
            planned = await planMigration(m, {
              source,
              destination,
              throughputBytesPerSecond: throughput,
              partRules: partRulesOf(settings),
              parallelism,
              depth,
              keepFailure: true,
              logger,
              signal: abort.signal,
              ...(copyRecords ? { copyRecords: copyRecords.ledger } : {}),
            });
          } catch (err) {
            // the clients could not be built (credentials): the plan says so, the others go on
            const e = err as Error;
            const failed = new MigrationPlanBuilder(m, partRulesOf(settings));
            failed.fail(`${e.name}: ${e.message}`);
            planned = failed.build(throughput);
          }
          if (planned.error !== undefined) process.exitCode = 1;
          plans.push(planned);
        }
      } finally {
        await clients.destroy();
        await copyRecords?.close();
      }
      const plan = assemblePlan(plans, throughput, new Date(), {
        fleet: {
          instances: flags.instances,
          ...(flags.instanceTypes ? { instanceTypes: flags.instanceTypes } : {}),
          ...(flags.fleetRegion ? { region: flags.fleetRegion } : {}),
        },
      });
      process.stdout.write(flags.json ? renderPlanJson(plan) : renderPlanMarkdown(plan));
    });
  withExitCodes(cmd, "plan");
};
