import { LongbowError, type LongbowErrorContext } from "../errors.js";

/** The source object changed (ETag or version) while it was being copied. */
export class SourceChangedError extends LongbowError {
  constructor(message: string, context: LongbowErrorContext, cause?: unknown) {
    super("SourceChanged", message, { cause, context, retryable: false });
    this.name = "SourceChangedError";
  }
}

/** The source key (or the pinned version) does not exist. */
export class SourceMissingError extends LongbowError {
  constructor(message: string, context: LongbowErrorContext, cause?: unknown) {
    super("SourceMissing", message, { cause, context, retryable: false });
    this.name = "SourceMissingError";
  }
}

/** The source is in an archive class (GLACIER, DEEP_ARCHIVE) and not restored: it cannot be read yet. */
export class NeedsRestoreError extends LongbowError {
  constructor(message: string, context: LongbowErrorContext, cause?: unknown) {
    super("NeedsRestore", message, { cause, context, retryable: false });
    this.name = "NeedsRestoreError";
  }
}

/**
 * An endpoint refused the credentials or the permission (AccessDenied, InvalidAccessKeyId,
 * SignatureDoesNotMatch, ...). Not retried: the message names the endpoint and bucket.
 */
export class AccessError extends LongbowError {
  constructor(message: string, code: string, context: LongbowErrorContext, cause?: unknown) {
    super(code, message, { cause, context, retryable: false });
    this.name = "AccessError";
  }
}

/** Bytes did not verify (a part's ETag, the completed object's ETag, or the source's ETag). Retried. */
export class IntegrityError extends LongbowError {
  constructor(message: string, context: LongbowErrorContext) {
    super("IntegrityMismatch", message, { context, retryable: true });
    this.name = "IntegrityError";
  }
}

/**
 * The bytes read did not match the source's ETag or checksum; the upload was aborted.
 * `layoutGuessed`: the part plan inferred the source's middle parts as uniform, so the
 * next attempt asks for every part's size before blaming the bytes.
 */
export class ReadMismatchError extends IntegrityError {
  readonly layoutGuessed: boolean;

  constructor(message: string, context: LongbowErrorContext, layoutGuessed: boolean) {
    super(message, context);
    this.name = "ReadMismatchError";
    this.layoutGuessed = layoutGuessed;
  }
}

/** A source whose parts break S3's limits: it cannot be copied part for part, and retrying cannot help. */
export class InvalidSourceLayoutError extends LongbowError {
  constructor(message: string, context: LongbowErrorContext) {
    super("InvalidSourceLayout", message, { context, retryable: false });
    this.name = "InvalidSourceLayoutError";
  }
}

/** Any other failure of an S3 request or of reading a body; `retryable` follows the cause. */
export class TransferError extends LongbowError {
  constructor(
    code: string,
    message: string,
    options: { cause?: unknown; context?: LongbowErrorContext; retryable: boolean },
  ) {
    super(code, message, options);
    this.name = "TransferError";
  }
}

/** The job ran longer than `jobTimeoutSeconds`; in-flight requests were aborted, the upload kept. */
export class JobTimeoutError extends LongbowError {
  constructor(seconds: number, context: LongbowErrorContext) {
    super("JobTimeout", `copy did not finish within ${seconds} s; the upload is kept for resume`, {
      context,
      retryable: true,
    });
    this.name = "JobTimeoutError";
  }
}
