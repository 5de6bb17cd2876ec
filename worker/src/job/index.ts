export { type DestinationEncryption, type Job, jobId, type ObjectTags, type PartRange } from "./job.js";
