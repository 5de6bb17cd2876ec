export { canonicalJson } from "./canonical-json.js";
export {
  ParameterTooLargeError,
  PublishDeletionsRefusedError,
  PublishedMigrationError,
  PublishOptionsError,
} from "./errors.js";
export { type LoadPublishedOptions, loadPublishedMigrations } from "./load-published.js";
export {
  formatChange,
  maxRemovedShare,
  type PublishChange,
  type PublishOptions,
  publishMigrations,
} from "./publish.js";
export { defaultMigrationsPath, validatePath } from "./ssm-store.js";
