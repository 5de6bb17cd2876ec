import type { HttpHandler, HttpRequest, HttpResponse } from "@smithy/core/protocols";
import type {
  HttpHandlerOptions,
  InitializeMiddleware,
  NodeHttpHandlerOptions,
  RetryErrorInfo,
  RetryStrategyV2,
  RetryToken,
} from "@smithy/types";
import { LongbowError } from "../errors.js";
import type { Logger } from "../log/index.js";

/** The timeouts an {@link EndpointWatch} names in its messages, with the settings that set them. */
export interface EndpointTimeouts {
  connectMs: number;
  firstByteMs: number;
  idleMs: number;
}

/** Failures where no answer came back at all (as opposed to an answer that was an error). */
const connectionCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ECONNABORTED",
]);

function codeOf(err: unknown): string | undefined {
  const e = err as { code?: unknown; name?: unknown } | undefined;
  return typeof e?.code === "string" ? e.code : undefined;
}

/** True for a failure that never got an HTTP answer: refused, reset, unreachable or timed out. */
export function isConnectionFailure(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  if ((err as { $response?: unknown }).$response !== undefined) return false;
  const code = codeOf(err);
  return (
    (code !== undefined && connectionCodes.has(code)) || (err as { name?: unknown }).name === "TimeoutError"
  );
}

/**
 * An S3 endpoint that never answered: refused, unreachable, or silent. The message names the
 * endpoint, what failed and the setting that bounds it; never a credential.
 */
export class EndpointUnreachableError extends LongbowError {
  constructor(message: string, endpoint: string, cause: unknown) {
    super("EndpointUnreachable", message, { cause, context: { endpoint }, retryable: true });
    this.name = "EndpointUnreachableError";
  }
}

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(1))} s`;

/**
 * What one S3 client knows about its endpoint: whether it has ever answered. Until it has,
 * requests fail after `firstByteMs` of silence (not the longer idle timeout), connection
 * failures get only `unansweredAttempts` attempts, and the final error names the endpoint.
 * Once it has answered, the idle timeout and the full retry budget apply: a stall on a
 * working endpoint is worth waiting out.
 */
export class EndpointWatch {
  private everAnswered = false;

  constructor(
    /** e.g. `http://127.0.0.1:9000 (us-east-1)`, from `describeEndpoint`. */
    readonly label: string,
    readonly timeouts: EndpointTimeouts,
    /** The client's request handler, told the idle timeout once the endpoint answered. */
    private readonly handler: Pick<HttpHandler<NodeHttpHandlerOptions>, "updateHttpClientConfig">,
    readonly unansweredAttempts: number,
    private readonly logger: Logger,
  ) {}

  get answered(): boolean {
    return this.everAnswered;
  }

  /** Records an answer (any HTTP status): from now on silence is judged by the idle timeout. */
  noteAnswer(): void {
    if (this.everAnswered) return;
    this.everAnswered = true;
    this.handler.updateHttpClientConfig("socketTimeout", this.timeouts.idleMs);
  }

  /** The error a caller sees when the endpoint never answered; other errors pass unchanged. */
  explain(err: unknown, attempts: number | undefined): unknown {
    if (this.everAnswered || !isConnectionFailure(err) || err instanceof LongbowError) return err;
    const message = (err as Error).message ?? "";
    const t = this.timeouts;
    let what: string;
    const code = codeOf(err);
    if (code === "ECONNREFUSED") what = "refused the connection (nothing listens there)";
    else if (code === "ENOTFOUND" || code === "EAI_AGAIN") what = "has a host name that does not resolve";
    else if (code === "EHOSTUNREACH" || code === "ENETUNREACH") what = "is unreachable from this network";
    else if (/establish a connection|connecting took/.test(message))
      what = `accepted no connection within ${seconds(t.connectMs)} (connect timeout, LONGBOW_CONNECT_TIMEOUT_MS)`;
    else if (code === "ECONNRESET" || code === "EPIPE" || code === "ECONNABORTED")
      what = "closed the connection without answering";
    else
      what = `accepted the connection but sent no answer within ${seconds(t.firstByteMs)} (first-byte timeout, LONGBOW_FIRST_BYTE_TIMEOUT_MS)`;
    const tries =
      attempts === undefined ? "" : `; gave up after ${attempts} attempt${attempts === 1 ? "" : "s"}`;
    return new EndpointUnreachableError(`S3 endpoint ${this.label} ${what}${tries}`, this.label, err);
  }

  /** Logs at info that a request to an endpoint that never answered is tried again. */
  noteRetry(attempt: number, err: unknown): void {
    this.logger.info(
      {
        endpoint: this.label,
        attempt,
        of: this.unansweredAttempts,
        err: { name: (err as Error).name, code: codeOf(err), message: (err as Error).message },
      },
      "S3 endpoint did not answer; trying again",
    );
  }

  /** Logs at info when a request to an endpoint that has not answered yet waits long. */
  waitingSince(started: number): () => void {
    if (this.everAnswered) return () => {};
    const after = Math.min(this.timeouts.connectMs, this.timeouts.firstByteMs, 10_000);
    const timer = setTimeout(() => {
      this.logger.info(
        {
          endpoint: this.label,
          waitedMs: Date.now() - started,
          firstByteTimeoutMs: this.timeouts.firstByteMs,
        },
        "waiting for an S3 endpoint that has not answered yet",
      );
    }, after);
    timer.unref();
    return () => clearTimeout(timer);
  }
}

/** The client's request handler with the watch around it: notes answers and logs long waits. */
export class WatchedHandler implements HttpHandler<NodeHttpHandlerOptions> {
  readonly metadata = { handlerProtocol: "http/1.1" };

  constructor(
    private readonly inner: HttpHandler<NodeHttpHandlerOptions>,
    private readonly watch: EndpointWatch,
  ) {}

  async handle(request: HttpRequest, options?: HttpHandlerOptions): Promise<{ response: HttpResponse }> {
    const stop = this.watch.waitingSince(Date.now());
    try {
      const out = await this.inner.handle(request, options);
      this.watch.noteAnswer();
      return out;
    } finally {
      stop();
    }
  }

  updateHttpClientConfig(key: keyof NodeHttpHandlerOptions, value: NodeHttpHandlerOptions[typeof key]): void {
    this.inner.updateHttpClientConfig(key, value);
  }

  httpHandlerConfigs(): NodeHttpHandlerOptions {
    return this.inner.httpHandlerConfigs();
  }

  destroy(): void {
    this.inner.destroy?.();
  }
}

/**
 * The SDK's standard retry strategy, except that a connection failure to an endpoint that
 * never answered is retried only until `watch.unansweredAttempts` attempts were made (a
 * refused port fails in about a second, a silent one within a few first-byte timeouts), and
 * each such retry is logged at info.
 */
export function watchedRetryStrategy(inner: RetryStrategyV2, watch: EndpointWatch): RetryStrategyV2 {
  return {
    acquireInitialRetryToken: (scope: string) => inner.acquireInitialRetryToken(scope),
    async refreshRetryTokenForRetry(token: RetryToken, errorInfo: RetryErrorInfo): Promise<RetryToken> {
      const error = (errorInfo as RetryErrorInfo & { error?: unknown }).error;
      if (!watch.answered && isConnectionFailure(error)) {
        const attempt = token.getRetryCount() + 1;
        if (attempt >= watch.unansweredAttempts) throw new Error("no retry: the endpoint never answered");
        watch.noteRetry(attempt, error);
      }
      return inner.refreshRetryTokenForRetry(token, errorInfo);
    },
    recordSuccess: (token: RetryToken) => inner.recordSuccess(token),
  };
}

/** Outside the retries: turns the final failure of a never-answering endpoint into a message naming it. */
export function explainMiddleware<I extends object, O extends object>(
  watch: EndpointWatch,
): InitializeMiddleware<I, O> {
  return (next) => async (args) => {
    try {
      return await next(args);
    } catch (err) {
      throw watch.explain(err, (err as { $metadata?: { attempts?: number } }).$metadata?.attempts);
    }
  };
}
