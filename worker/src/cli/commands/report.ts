import { resolveSettings } from "../../config/index.js";
import { createLogger } from "../../log/index.js";
import { buildReport, renderReportJson, renderReportMarkdown } from "../../report/index.js";
import type { RegisterCommand } from "../commands.js";
import { openBackends } from "./backends.js";

interface ReportFlags {
  migration?: string[];
  json?: boolean;
  markdown?: boolean;
  queueUrl?: string;
  tableName?: string;
  state?: string;
}

/**
 * `longbow report`: progress per migration from the ledger's counters and the queue's
 * depth (a handful of reads, never a scan), as Markdown (default) or JSON on stdout.
 */
export const registerReport: RegisterCommand = (program) => {
  program
    .command("report")
    .description("show progress, throughput, ETA and failures per migration")
    .option("--migration <name...>", "report only these migrations (default: every one the ledger knows)")
    .option("--json", "print the report model as JSON")
    .option("--markdown", "print Markdown with Mermaid charts (the default)")
    .option("--queue-url <url>", "SQS queue (env LONGBOW_QUEUE_URL)")
    .option("--table-name <name>", "DynamoDB ledger table (env LONGBOW_TABLE_NAME)")
    .option("--state <dir>", "local mode: SQLite queue and ledger in this folder (default .longbow)")
    .action(async (flags: ReportFlags) => {
      if (flags.json && flags.markdown) throw new Error("choose one of --json and --markdown");
      const settings = resolveSettings(process.env);
      const logger = createLogger({ level: settings.logLevel });
      const backends = openBackends(flags, process.env, settings, logger);
      try {
        const report = await buildReport({
          ledger: backends.ledger,
          queue: backends.queue,
          ...(flags.migration ? { migrations: flags.migration } : {}),
        });
        process.stdout.write(flags.json ? renderReportJson(report) : renderReportMarkdown(report));
      } finally {
        await backends.close();
      }
    });
};
