export { type Job, jobId } from "./job.js";
