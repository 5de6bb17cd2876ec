export { bucketNameProblem } from "./bucket-name.js";
export {
  type CheckedFile,
  checkMigration,
  checkMigrationSet,
  checkPublishedSize,
  type FileDraft,
} from "./checks.js";
export type { MigrationDraft, SideDraft } from "./draft.js";
export { endpointProblems, storeOf } from "./endpoint-url.js";
export { type FolderEntry, isMigrationFileName, readMigrationFolder } from "./folder.js";
export { Glob, type Matcher, PatternError } from "./glob.js";
export { formatBytes, inputLimits } from "./input-limits.js";
export {
  destinationEndpoint,
  destinationKey,
  jobDestination,
  KeyOutsidePrefixError,
  sourceEndpoint,
  sourceKeyOf,
} from "./key-map.js";
export { loadMigrations, type ParsedMigrationFile, parseMigrationBytes, parseMigrationFile } from "./load.js";
export type {
  CompareMode,
  LoadedMigration,
  Migration,
  MigrationDestinationFile,
  MigrationFile,
  MigrationLimits,
  MigrationSide,
  MigrationSideFile,
  MirrorFile,
  MirrorMode,
  VersioningSwitches,
} from "./migration.js";
export { defaultMaxDeleteShare, maxDeleteFraction, normalizeMigration } from "./migration.js";
export { type RegionStatus, regionStatus } from "./partitions.js";
export { compilePattern, ignoreFilter, isIgnored, type KeyFilter, patternProblem } from "./pattern.js";
export { formatProblem, hasErrors, type Problem, sortProblems } from "./problem.js";
export { checkSchema, migrationSchema, type SchemaViolation } from "./schema.js";
