export { canonicalJson } from "./canonical-json.js";
export { PublishedMigrationError, PublishOptionsError } from "./errors.js";
export { type LoadPublishedOptions, loadPublishedMigrations } from "./load-published.js";
export { formatChange, type PublishChange, type PublishOptions, publishMigrations } from "./publish.js";
export { defaultMigrationsPath, validatePath } from "./ssm-store.js";
