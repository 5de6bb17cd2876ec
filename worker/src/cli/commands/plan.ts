import type { S3Client } from "@aws-sdk/client-s3";
import { compareMigrationChunks } from "../../compare/index.js";
import { destinationEndpoint, resolveSettings, sourceEndpoint } from "../../config/index.js";
import { createLogger } from "../../log/index.js";
import { assemblePlan, MigrationPlanBuilder, renderPlanJson, renderPlanMarkdown } from "../../plan/index.js";
import { createS3Client, s3ClientSettings } from "../../s3/index.js";
import type { RegisterCommand } from "../commands.js";
import { withExitCodes } from "../exit-codes.js";
import { positiveDecimal, wholeNumber } from "../flags.js";
import { chooseMigrations, loadValidMigrations } from "./load-valid.js";

interface PlanFlags {
  dir: string;
  migration?: string;
  json?: boolean;
  throughput: number;
  parallelism: number;
  depth: number;
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
    .option("--dir <dir>", "folder holding the migration files", "migrations")
    .option("--migration <name>", "plan only this migration (even when disabled)")
    .option("--json", "print the plan as JSON instead of Markdown")
    .option("--throughput <MBps>", "throughput the ETA assumes, in MB/s", positiveDecimal, 100)
    .option("--parallelism <n>", "partitions listed at once", wholeNumber({ max: 1000 }), 16)
    .option("--depth <n>", "prefix levels the key space is split by", wholeNumber({ min: 0, max: 8 }), 1)
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
      const plans = [];
      for (const m of chosen) {
        const builder = new MigrationPlanBuilder(m);
        const clients: S3Client[] = [];
        try {
          const options = { ...s3ClientSettings(settings), logger, signal: abort.signal };
          const [source, destination] = await Promise.all([
            createS3Client(sourceEndpoint(m), { ...options, side: "source" }),
            createS3Client(destinationEndpoint(m), { ...options, side: "destination" }),
          ]);
          clients.push(source, destination);
          const chunks = compareMigrationChunks(m, {
            source,
            destination,
            parallelism,
            depth,
            logger,
            signal: abort.signal,
          });
          for await (const chunk of chunks) for (const item of chunk) builder.add(item);
        } catch (err) {
          const e = err as Error;
          logger.error({ migration: m.name, err: { name: e.name, message: e.message } }, "compare failed");
          builder.fail(`${e.name}: ${e.message}`);
          process.exitCode = 1;
        } finally {
          for (const c of clients) c.destroy();
        }
        plans.push(builder.build(throughput));
      }
      const plan = assemblePlan(plans, throughput, new Date());
      process.stdout.write(flags.json ? renderPlanJson(plan) : renderPlanMarkdown(plan));
    });
  withExitCodes(cmd, "plan");
};
