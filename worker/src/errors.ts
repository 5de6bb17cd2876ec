/**
 * Base of every error Longbow raises on purpose. `code` is stable and machine-readable;
 * `context` names the migration, key, uploadId or message involved. Messages never carry
 * a credential: build them from names and identifiers only.
 */
export interface LongbowErrorContext {
  migration?: string;
  bucket?: string;
  key?: string;
  endpoint?: string;
  uploadId?: string;
  messageId?: string;
  file?: string;
  [extra: string]: string | number | boolean | undefined;
}

export class LongbowError extends Error {
  readonly code: string;
  readonly context: LongbowErrorContext;
  readonly retryable: boolean;

  constructor(
    code: string,
    message: string,
    options: { cause?: unknown; context?: LongbowErrorContext; retryable?: boolean } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "LongbowError";
    this.code = code;
    this.context = options.context ?? {};
    this.retryable = options.retryable ?? false;
  }

  /** True for errors worth another attempt (throttling, 5xx, resets); false otherwise. */
  static isRetryable(err: unknown): boolean {
    return err instanceof LongbowError && err.retryable;
  }
}

/** Raised when an operation is cancelled through its AbortSignal. */
export class AbortError extends LongbowError {
  constructor(message = "operation aborted", cause?: unknown) {
    super("Aborted", message, { cause });
    this.name = "AbortError";
  }
}

/** Throws an {@link AbortError} if the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new AbortError(
      signal.reason instanceof Error ? signal.reason.message : "operation aborted",
      signal.reason,
    );
  }
}
