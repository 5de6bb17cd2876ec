import type { Report } from "./model.js";

/** The report model as JSON, for machines (`longbow report --json`, the Action's outputs). */
export function renderReportJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
