export {
  type CompareOptions,
  type CompareTuning,
  compareListingChunks,
  compareListings,
  compareMigration,
  compareMigrationChunks,
  type ListingCompareOptions,
  validateCompareTuning,
} from "./compare.js";
export { CompareOptionsError, OutOfOrderListingError } from "./errors.js";
export { jobsFromDiff, toJob } from "./jobs.js";
export { compareKeys } from "./key-order.js";
export {
  type MemoryListerOptions,
  memoryLister,
  type SortedObjects,
  virtualLister,
} from "./memory-lister.js";
export { s3LatestVersionLister, s3ObjectLister } from "./s3-lister.js";
export type {
  CopyRecord,
  CopyRecords,
  DiffItem,
  DiffKind,
  ListedObject,
  ListPage,
  ListRequest,
  ObjectLister,
} from "./types.js";
