export { ClientSet, type MigrationClientsOptions, migrationClients } from "./migration-clients.js";
export { publishedMigrations } from "./published.js";
export {
  type Backends,
  clusterBackends,
  dynamoLedger,
  localBackends,
  sqsQueue,
  stateFiles,
} from "./stores.js";
