// re-exported: the one formatting module is worker/src/format/
export { formatBytes, formatCount, formatDuration } from "../format/index.js";
export {
  assemblePlan,
  largestCount,
  type MigrationPlan,
  MigrationPlanBuilder,
  type Plan,
  type PlannedCopy,
  planMigration,
  type Tally,
} from "./model.js";
export { renderPlanJson, renderPlanMarkdown } from "./render.js";
