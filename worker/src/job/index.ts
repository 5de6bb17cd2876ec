export { type DestinationEncryption, isDeletion, type Job, jobId, type ObjectTags } from "./job.js";
