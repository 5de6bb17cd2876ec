export { type Job, jobId, type ObjectTags, type PartRange } from "./job.js";
