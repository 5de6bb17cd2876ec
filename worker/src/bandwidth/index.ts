export { DynamoBandwidthShares, type DynamoBandwidthSharesOptions, leaseKey } from "./dynamo-shares.js";
export {
  BandwidthGovernor,
  type BandwidthGovernorOptions,
  type Pace,
  type PacedMigration,
} from "./governor.js";
export { formatRateDecimal, maxRateText, parseRate, type RateResult, rateUnits } from "./rate.js";
export {
  BandwidthLimit,
  type BandwidthLimitsDraft,
  type BandwidthLimitsFile,
  type BandwidthProblem,
  type BandwidthScheduleFile,
  type BandwidthWindowFile,
  compileBandwidth,
  type DayName,
  type DaySet,
  dayNames,
  timeZoneProblem,
} from "./schedule.js";
export { type BandwidthShares, wholeLimit } from "./shares.js";
export { type PaceClock, systemClock, TokenBucket, type TokenBucketOptions } from "./token-bucket.js";
