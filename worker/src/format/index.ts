export { formatBytes, formatCount, formatDuration, formatRate } from "./format.js";
