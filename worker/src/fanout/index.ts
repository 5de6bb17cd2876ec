export {
  abandonFanout,
  type FanoutDeps,
  fanoutThreshold,
  mayFanOut,
  type RangeOutcome,
  runRange,
  type SplitOutcome,
  splitObject,
} from "./fanout.js";
