import { AbortError } from "./errors.js";

/** Resolves after `ms`, or rejects with an AbortError as soon as `signal` fires. The one sleep of the engine. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortError("aborted", signal.reason));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortError("aborted", signal?.reason));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
