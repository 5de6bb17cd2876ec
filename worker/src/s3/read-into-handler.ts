import { Readable } from "node:stream";
import { buildQueryString, type HttpHandler, type HttpRequest, HttpResponse } from "@smithy/core/protocols";
import type { NodeHttpHandler } from "@smithy/node-http-handler";
import type { HttpHandlerOptions, NodeHttpHandlerOptions } from "@smithy/types";
import type { Connection, ConnectionTimeouts, Exchange, Origin } from "./http1/connection.js";
import { ConnectionPool } from "./http1/connection-pool.js";
import { readIntoOf } from "./read-into.js";

/**
 * The S3 clients' request handler. A GET sent with `readIntoOptions` goes over this
 * handler's own keep-alive connections and its body is read straight into the caller's
 * buffer; every other request, and any answer whose body is not delimited by a
 * Content-Length, goes through `fallback` (the SDK's NodeHttpHandler). Signing, retries
 * and error parsing stay the SDK's: this only moves the bytes.
 */
export class ReadIntoHandler implements HttpHandler<NodeHttpHandlerOptions> {
  readonly metadata = { handlerProtocol: "http/1.1" };
  private readonly pool: ConnectionPool;

  constructor(
    private readonly fallback: NodeHttpHandler,
    options: { maxSockets: number } & ConnectionTimeouts,
  ) {
    this.pool = new ConnectionPool(options.maxSockets, options);
  }

  async handle(request: HttpRequest, options: HttpHandlerOptions = {}): Promise<{ response: HttpResponse }> {
    const into = readIntoOf(options);
    if (into === undefined || request.method !== "GET" || request.body != null) {
      return this.fallback.handle(request, options);
    }
    const origin = originOf(request);
    const head = requestHead(request);
    const signal = options.abortSignal as AbortSignal | undefined;
    let exchange: Exchange;
    for (let attempt = 1; ; attempt++) {
      const conn = await this.pool.acquire(origin, signal);
      try {
        exchange = await conn.exchange(head, into, signal);
        this.pool.release(conn);
        break;
      } catch (err) {
        this.pool.release(conn);
        // A parked connection the server closed meanwhile fails before any answer byte;
        // a GET is safe to send again, once, on a fresh connection.
        if (attempt === 1 && wasStale(conn, err)) continue;
        throw err;
      }
    }
    if (exchange.kind === "unframed") return this.fallback.handle(request, options);
    const { head: answer, body } = exchange;
    return {
      response: new HttpResponse({
        statusCode: answer.statusCode,
        reason: answer.reason,
        headers: answer.headers,
        body: Readable.from(body === undefined || body.length === 0 ? [] : [body], { objectMode: false }),
      }),
    };
  }

  updateHttpClientConfig(key: keyof NodeHttpHandlerOptions, value: NodeHttpHandlerOptions[typeof key]): void {
    this.fallback.updateHttpClientConfig(key, value);
  }

  httpHandlerConfigs(): NodeHttpHandlerOptions {
    return this.fallback.httpHandlerConfigs();
  }

  destroy(): void {
    this.pool.destroy();
    this.fallback.destroy();
  }
}

function wasStale(conn: Connection, err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return conn.answered > 0 && conn.failedBeforeAnswer && (code === "ECONNRESET" || code === "EPIPE");
}

function originOf(request: HttpRequest): Origin {
  const tls = request.protocol === "https:";
  let host = request.hostname;
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  return { tls, host, port: request.port ?? (tls ? 443 : 80) };
}

const unsafeHeaderText = /[\r\n]/;

/** The request line and headers of a bodiless request, as the SDK built and signed it. */
function requestHead(request: HttpRequest): string {
  const query = request.query === undefined ? "" : buildQueryString(request.query);
  let text = `${request.method} ${request.path}${query === "" ? "" : `?${query}`} HTTP/1.1\r\n`;
  let host = false;
  for (const [name, value] of Object.entries(request.headers)) {
    if (unsafeHeaderText.test(name) || unsafeHeaderText.test(value)) {
      throw new TypeError(`header ${JSON.stringify(name)} holds a line break`);
    }
    if (name.toLowerCase() === "host") host = true;
    text += `${name}: ${value}\r\n`;
  }
  if (!host) {
    const port = request.port === undefined ? "" : `:${request.port}`;
    text += `host: ${request.hostname}${port}\r\n`;
  }
  return `${text}\r\n`;
}
