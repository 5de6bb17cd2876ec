export { Admission, type AdmissionOptions, type Draining } from "./admission.js";
export { ByteBudget, partBytesOf } from "./byte-budget.js";
export { copyObject } from "./copy-object.js";
export {
  AccessError,
  IntegrityError,
  JobTimeoutError,
  SourceChangedError,
  SourceMissingError,
  TransferError,
} from "./errors.js";
export type { TransferEvent, TransferEventListener } from "./events.js";
export {
  abortFanoutUpload,
  completeFanoutUpload,
  copyPartRange,
  type FanoutOpening,
  isTransientFailure,
  openFanoutUpload,
  type RangeCopyResult,
  splitRanges,
  uploadGoneCode,
} from "./fanout-copy.js";
export { provenanceKeys } from "./metadata.js";
export {
  type CopyOptions,
  type CopySettings,
  type Pace,
  type ResolvedCopyOptions,
  resolveCopyOptions,
} from "./options.js";
export { ownPlan, type PartLayout, PartPlan } from "./part-plan.js";
export { TransferPool, type TransferPoolOptions } from "./pool.js";
export type { VerificationLevel } from "./read-proof.js";
export type { CopyResult, CopyStatus } from "./result.js";
export type { ResumePoint, ResumeStore } from "./resume-store.js";
export {
  type CopyLane,
  TransferEngine,
  type TransferEngineOptions,
  type TransferEngineSettings,
} from "./transfer-engine.js";
