import { LongbowError } from "../errors.js";

/** A listing returned keys out of ascending order; diffing it would give wrong answers. */
export class OutOfOrderListingError extends LongbowError {
  constructor(bucket: string, previous: string, key: string) {
    super(
      "OutOfOrderListing",
      `listing of bucket '${bucket}' returned '${key}' after '${previous}': the store does not list keys in sorted order, so the compare cannot merge it`,
      { context: { bucket, key, previous } },
    );
    this.name = "OutOfOrderListingError";
  }
}

/** Bad options given to the compare; the message names the option. */
export class CompareOptionsError extends LongbowError {
  constructor(message: string) {
    super("InvalidCompareOptions", message);
    this.name = "CompareOptionsError";
  }
}
