import type { Logger } from "../log/index.js";
import { classifyS3Error, s3ErrorCode } from "../s3/index.js";
import { sleep } from "../sleep.js";
import type { TransferEventListener } from "./events.js";

/** Full-jitter exponential backoff: uniform in [0, min(cap, base * 2^attempt)). */
export function backoffMs(attempt: number, baseMs: number, capMs = 20_000): number {
  return Math.random() * Math.min(capMs, baseMs * 2 ** attempt);
}

function sdkAttempts(err: unknown): number {
  const e = err as {
    $metadata?: { attempts?: number };
    cause?: { $metadata?: { attempts?: number } };
  } | null;
  const attempts = e?.$metadata?.attempts ?? e?.cause?.$metadata?.attempts;
  return typeof attempts === "number" ? attempts : 0;
}

export interface RetryOptions {
  maxAttempts: number;
  /** Counts each attempt tried again. */
  retried?: { requests: number };
  baseDelayMs: number;
  signal: AbortSignal | undefined;
  logger: Logger;
  onProgress: TransferEventListener;
}

/**
 * Runs `fn` again after failures S3's client cannot retry itself: a body that breaks or
 * comes up short mid-stream, an ETag that does not verify. Request-level faults (5xx,
 * throttling, resets before the answer) are already retried by the SDK client.
 */
export async function withRetries<T>(what: string, fn: () => Promise<T>, o: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (o.signal?.aborted || attempt >= o.maxAttempts || classifyS3Error(err) !== "transient") throw err;
      // the SDK client already spent its own attempts on this request
      if (sdkAttempts(err) > 1) throw err;
      const code = s3ErrorCode(err);
      o.logger.warn({ what, attempt, code }, "retrying after a transient failure");
      if (o.retried) o.retried.requests++;
      o.onProgress({ type: "retried", what, attempt, code });
      await sleep(backoffMs(attempt, o.baseDelayMs), o.signal);
    }
  }
}
