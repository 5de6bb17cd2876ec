// re-exported: the one formatting module is worker/src/format/
export { formatBytes, formatDuration, formatRate } from "../format/index.js";
export { renderReportJson } from "./json.js";
export { hourlyChart, renderMigrationMarkdown, renderReportMarkdown, stateChart } from "./markdown.js";
export {
  type BuildReportOptions,
  buildReport,
  type MigrationReport,
  migrationReport,
  type Report,
  type ReportFailure,
  type StateTotals,
  trailingRate,
} from "./model.js";
