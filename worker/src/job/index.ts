export {
  type DestinationEncryption,
  isDeletion,
  type Job,
  jobId,
  type ObjectTags,
  type PartRange,
} from "./job.js";
