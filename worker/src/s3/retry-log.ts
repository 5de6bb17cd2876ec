import type { DeserializeMiddleware, HandlerExecutionContext } from "@smithy/types";
import type { Logger } from "../log/index.js";
import { classifyS3Error, s3ErrorCode, s3HttpStatus } from "./errors.js";

/**
 * Logs, at debug, every attempt of a request that failed in a way the SDK retries (5xx,
 * throttling, resets, timeouts): operation, endpoint, bucket, key, error and attempt number. It sits inside the SDK's retry loop (deserialize step), so an
 * operator can see that 10 % of requests fail even when every retry then succeeds; the
 * SDK itself says nothing. Never logs a header or a body.
 */
export function retryLogMiddleware<I extends object, O extends object>(
  logger: Logger,
): DeserializeMiddleware<I, O> {
  const attempts = new WeakMap<HandlerExecutionContext, number>();
  return (next, context) => async (args) => {
    const attempt = (attempts.get(context) ?? 0) + 1;
    attempts.set(context, attempt);
    try {
      return await next(args);
    } catch (err) {
      // only what the SDK retries: a 404 answer or a cancellation is not a failed attempt
      if (logger.isLevelEnabled("debug") && classifyS3Error(err) === "transient") {
        const request = args.request as { hostname?: string; port?: number };
        const input = args.input as { Bucket?: unknown; Key?: unknown };
        logger.debug(
          {
            operation: context.commandName,
            endpoint: request.port ? `${request.hostname}:${request.port}` : request.hostname,
            bucket: typeof input.Bucket === "string" ? input.Bucket : undefined,
            key: typeof input.Key === "string" ? input.Key : undefined,
            attempt,
            error: s3ErrorCode(err),
            status: s3HttpStatus(err),
          },
          "request attempt failed",
        );
      }
      throw err;
    }
  };
}
