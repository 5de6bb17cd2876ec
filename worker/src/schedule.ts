/**
 * Runs one request when a caller's window has room for it. `send` passes one window to the
 * ledger and the queue, so their reads, writes and sends share one bound on requests in
 * flight; a call without a window sends at once.
 */
export type Schedule = <T>(request: () => Promise<T>) => Promise<T>;

/** No window: every request goes at once. */
export const immediately: Schedule = (request) => request();
