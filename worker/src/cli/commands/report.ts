import { createLogger } from "../../log/index.js";
import { buildReport, renderReportJson, renderReportMarkdown } from "../../report/index.js";
import { resolveSettings } from "../../settings/index.js";
import type { RegisterCommand } from "../commands.js";
import { withExitCodes } from "../exit-codes.js";
import { UsageError } from "../usage-error.js";
import { type BackendFlags, NoLocalStateError, openBackendsToRead } from "./backends.js";
import { backendOptions } from "./shared-options.js";

/** Exit code when the --state folder holds no local state (and none was created). */
const noStateExit = 3;

interface ReportFlags extends BackendFlags {
  migration?: string[];
  json?: boolean;
  markdown?: boolean;
}

/**
 * `longbow report`: progress per migration from the ledger's counters and the queue's
 * depth (a handful of reads, never a scan), as Markdown (default) or JSON on stdout.
 */
export const registerReport: RegisterCommand = (program) => {
  const cmd = program
    .command("report")
    .description("show progress, throughput, ETA and failures per migration")
    .option("--migration <name...>", "report only these migrations (default: every one the ledger knows)")
    .option("--json", "print the report model as JSON")
    .option("--markdown", "print Markdown with Mermaid charts (the default)");
  backendOptions(
    cmd,
    "local mode: read the SQLite queue and ledger in this folder (default: .longbow when no queue/table is given); never creates them",
  ).action(async (flags: ReportFlags) => {
    if (flags.json && flags.markdown) throw new UsageError("choose one of --json and --markdown");
    const settings = resolveSettings(process.env);
    const logger = createLogger({ level: settings.logLevel });
    let backends: ReturnType<typeof openBackendsToRead>;
    try {
      backends = openBackendsToRead(flags, process.env, settings, logger);
    } catch (err) {
      if (!(err instanceof NoLocalStateError)) throw err;
      process.stderr.write(`longbow report: ${err.message}\n`);
      process.exitCode = noStateExit;
      return;
    }
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
  withExitCodes(cmd, "report");
};
