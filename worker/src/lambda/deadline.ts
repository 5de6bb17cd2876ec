import { AbortError } from "../errors.js";

/** An AbortSignal that fires at a deadline, and the means to drop its timer. */
export interface Deadline {
  readonly signal: AbortSignal;
  /** Clears the timer; call when the invocation ends so no timer outlives it. */
  dispose(): void;
}

/**
 * Aborts `inMs` from now (at once when `inMs` ≤ 0). The handler gives copies the Lambda
 * time left minus a reserve, so a copy that cannot finish is cut while there is still time
 * to record it and release its message; its multipart upload stays for the next attempt.
 */
export function deadlineSignal(inMs: number): Deadline {
  const controller = new AbortController();
  const abort = () => controller.abort(new AbortError("the Lambda invocation is running out of time"));
  if (inMs <= 0) {
    abort();
    return { signal: controller.signal, dispose: () => {} };
  }
  const timer = setTimeout(abort, inMs);
  return { signal: controller.signal, dispose: () => clearTimeout(timer) };
}
