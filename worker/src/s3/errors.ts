import { LongbowError, type LongbowErrorContext } from "../errors.js";

/**
 * Credentials for one side could not be resolved (missing or malformed SSM parameter,
 * unknown profile). The message names the parameter or profile, never its value.
 */
export class CredentialsError extends LongbowError {
  constructor(
    code: string,
    message: string,
    options: { cause?: unknown; context?: LongbowErrorContext } = {},
  ) {
    super(code, message, { ...options, retryable: false });
    this.name = "CredentialsError";
  }
}

/** What an S3 (or SDK transport) failure means for the copy that hit it. */
export type S3ErrorKind =
  /** The key (or version) does not exist. */
  | "not-found"
  /** The credentials or permissions are wrong: retrying will not help. */
  | "access"
  /** A conditional request (If-Match) failed: the object changed. */
  | "precondition"
  /** The request was cancelled through its AbortSignal. */
  | "aborted"
  /** Throttling, 5xx, connection resets and timeouts: worth another attempt. */
  | "transient"
  /** Anything else (malformed request, NoSuchUpload, ...). */
  | "other";

const accessCodes = new Set([
  "AccessDenied",
  "AccessDeniedException",
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "ExpiredToken",
  "InvalidToken",
  "TokenRefreshRequired",
  "AllAccessDisabled",
  "AccountProblem",
  "CredentialsProviderError",
]);
const notFoundCodes = new Set(["NoSuchKey", "NotFound", "NoSuchVersion"]);
const transientCodes = new Set([
  "SlowDown",
  "Throttling",
  "ThrottlingException",
  "RequestTimeout",
  "RequestTimeoutException",
  "InternalError",
  "ServiceUnavailable",
  "TimeoutError",
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ECONNABORTED",
  "ERR_STREAM_PREMATURE_CLOSE",
  "UND_ERR_SOCKET",
]);

interface SdkLikeError {
  name?: string;
  code?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

/** The error's code as S3 or Node spelled it (`NoSuchKey`, `ECONNRESET`, ...). */
export function s3ErrorCode(err: unknown): string {
  if (typeof err !== "object" || err === null) return "Unknown";
  const e = err as SdkLikeError;
  return e.Code ?? (typeof e.code === "string" ? e.code : undefined) ?? e.name ?? "Unknown";
}

/** HTTP status of an SDK error, if the service answered. */
export function s3HttpStatus(err: unknown): number | undefined {
  return typeof err === "object" && err !== null
    ? (err as SdkLikeError).$metadata?.httpStatusCode
    : undefined;
}

/** Classifies an S3 client failure; see {@link S3ErrorKind}. */
export function classifyS3Error(err: unknown): S3ErrorKind {
  if (err instanceof LongbowError)
    return err.retryable ? "transient" : err.code === "Aborted" ? "aborted" : "other";
  const code = s3ErrorCode(err);
  const name = typeof err === "object" && err !== null ? (err as SdkLikeError).name : undefined;
  const status = s3HttpStatus(err);
  if (name === "AbortError" || code === "AbortError" || code === "ABORT_ERR") return "aborted";
  if (accessCodes.has(code) || (name !== undefined && accessCodes.has(name))) return "access";
  if (notFoundCodes.has(code)) return "not-found";
  if (code === "PreconditionFailed" || status === 412) return "precondition";
  if (status === 404 && code !== "NoSuchUpload" && code !== "NoSuchBucket") return "not-found";
  if (status === 403) return "access";
  if (transientCodes.has(code) || (status !== undefined && (status >= 500 || status === 429)))
    return "transient";
  if (typeof err === "object" && err !== null && (err as SdkLikeError).$retryable) return "transient";
  return "other";
}
