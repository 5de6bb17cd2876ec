// re-exported: the one formatting module is worker/src/format/
export { formatBytes, formatCount, formatDuration } from "../format/index.js";
export {
  type CostEstimate,
  type CostItem,
  type CostLine,
  type CostOptions,
  estimateCost,
  type FleetOptions,
  type Money,
  stackInstanceTypes,
} from "./estimate.js";
export {
  assemblePlan,
  deletionSampleCount,
  largestCount,
  type MigrationPlan,
  MigrationPlanBuilder,
  type Plan,
  type PlannedCopy,
  type PlannedDeletion,
  type PlannedDeletions,
  type PlannedUsage,
  planFromDiff,
  type Tally,
} from "./model.js";
export { type PlanMigrationOptions, planMigration } from "./plan-migration.js";
export { type Currency, type PriceBook, priceBook, type RegionPrices } from "./prices.js";
export { renderPlanJson, renderPlanMarkdown } from "./render.js";
export { formatMoney, formatMoneys } from "./render-estimate.js";
export { type CopyRequests, type PartRules, partRulesOf } from "./requests.js";
