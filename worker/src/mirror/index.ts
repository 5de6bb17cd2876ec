export { deletionJob, deletionJobForRemoved, deletionOutOfScope } from "./candidates.js";
export {
  type DeletionOptions,
  type DeletionResult,
  type DeletionStatus,
  deleteDestinationObject,
} from "./delete-object.js";
export {
  DeletionLimitError,
  type DeletionShare,
  deletionShare,
  formatShare,
  neededLimit,
} from "./safety-stop.js";
