// re-exported: the one formatting module is worker/src/format/
export { formatBytes, formatCount, formatDuration } from "../format/index.js";
export {
  assemblePlan,
  largestCount,
  type MigrationPlan,
  MigrationPlanBuilder,
  type Plan,
  type PlannedCopy,
  planFromDiff,
  type Tally,
} from "./model.js";
export { type PlanMigrationOptions, planMigration } from "./plan-migration.js";
export { renderPlanJson, renderPlanMarkdown } from "./render.js";
