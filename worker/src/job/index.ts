export { type DestinationEncryption, type Job, jobId, type ObjectTags } from "./job.js";
