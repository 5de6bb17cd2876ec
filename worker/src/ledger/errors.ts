import { LongbowError, type LongbowErrorContext } from "../errors.js";

/** A ledger read or write failed. */
export class LedgerError extends LongbowError {
  constructor(
    code: string,
    message: string,
    options: { cause?: unknown; context?: LongbowErrorContext; retryable?: boolean } = {},
  ) {
    super(code, message, options);
    this.name = "LedgerError";
  }
}
