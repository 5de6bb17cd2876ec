export { type Job, jobId, type ObjectTags } from "./job.js";
