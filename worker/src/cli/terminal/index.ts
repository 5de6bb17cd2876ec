export { percent, renderBar } from "./bar.js";
export { LiveLine, type LiveLineOptions } from "./live-line.js";
