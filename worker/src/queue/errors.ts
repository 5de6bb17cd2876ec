import { LongbowError, type LongbowErrorContext } from "../errors.js";

/** A queue operation failed (after the SDK's own retries, or locally). */
export class QueueError extends LongbowError {
  constructor(
    code: string,
    message: string,
    options: { cause?: unknown; context?: LongbowErrorContext; retryable?: boolean } = {},
  ) {
    super(code, message, options);
    this.name = "QueueError";
  }
}
