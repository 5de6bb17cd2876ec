/**
 * A signal of its own for one sequence of requests, aborted with the compare's. Every
 * request in flight listens to its signal (the SDK's retry strategy, HTTP handler and
 * connection each add a listener), so partitions listed at once must not share one: 16
 * partitions on one signal pile up dozens of listeners and Node warns of a leak.
 * `AbortSignal.any` follows the parent without adding a listener to it.
 */
export const ownSignal = (signal: AbortSignal | undefined): AbortSignal | undefined =>
  signal === undefined ? undefined : AbortSignal.any([signal]);
