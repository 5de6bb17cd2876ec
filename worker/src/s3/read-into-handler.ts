import { Readable } from "node:stream";
import { buildQueryString, type HttpHandler, type HttpRequest, HttpResponse } from "@smithy/core/protocols";
import type { NodeHttpHandler } from "@smithy/node-http-handler";
import type { HttpHandlerOptions, NodeHttpHandlerOptions } from "@smithy/types";
import { LongbowError } from "../errors.js";
import type { Logger } from "../log/index.js";
import type { Connection, Exchange, Origin } from "./http1/connection.js";
import type { ConnectionPool } from "./http1/connection-pool.js";
import type { EnvProxy, ProxyRoutes } from "./proxy.js";
import { readIntoOf } from "./read-into.js";
import type { SocketBudget } from "./socket-budget.js";

/** The request handlers and pools a {@link ReadIntoHandler} routes between. */
export interface Routes {
  /** The SDK's handler over direct connections. */
  direct: NodeHttpHandler;
  /** The read path's connections, in the same socket budget as `direct`'s. */
  pool: ConnectionPool;
  /** The client's connections over all its pools. */
  budget: SocketBudget;
  /** The proxies the environment names; `proxied` is the SDK's handler through them. */
  proxies?: { routes: ProxyRoutes; proxied: NodeHttpHandler; logger: Logger };
}

/**
 * The S3 clients' request handler. A GET sent with `readIntoOptions` goes over the read
 * path's own keep-alive connections and its body is read straight into the caller's
 * buffer; every other request, and any answer whose body is not delimited by a
 * Content-Length, goes through the SDK's NodeHttpHandler. A request whose origin the
 * environment sends through a proxy goes through the SDK's handler for that proxy, GETs
 * included. Signing, retries and error parsing stay the SDK's: this only moves the bytes.
 */
export class ReadIntoHandler implements HttpHandler<NodeHttpHandlerOptions> {
  readonly metadata = { handlerProtocol: "http/1.1" };
  private readonly proxiedOrigins = new Set<string>();

  constructor(private readonly routes: Routes) {}

  async handle(request: HttpRequest, options: HttpHandlerOptions = {}): Promise<{ response: HttpResponse }> {
    const origin = originOf(request);
    const proxy = this.routes.proxies?.routes.proxyFor(origin);
    if (proxy !== undefined) return this.viaProxy(origin, proxy, request, options);
    const { direct, pool } = this.routes;
    const into = readIntoOf(options);
    if (into === undefined || request.method !== "GET" || request.body != null) {
      return direct.handle(request, options);
    }
    const head = requestHead(request);
    const signal = options.abortSignal as AbortSignal | undefined;
    let exchange: Exchange;
    for (let attempt = 1; ; attempt++) {
      const conn = await pool.acquire(origin, signal);
      try {
        exchange = await conn.exchange(head, into, signal);
        pool.release(conn);
        break;
      } catch (err) {
        pool.release(conn);
        // A parked connection the server closed meanwhile fails before any answer byte;
        // a GET is safe to send again, once, on a fresh connection.
        if (attempt === 1 && wasStale(conn, err)) continue;
        throw err;
      }
    }
    if (exchange.kind === "unframed") return direct.handle(request, options);
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
    this.routes.direct.updateHttpClientConfig(key, value);
    this.routes.proxies?.proxied.updateHttpClientConfig(key, value);
  }

  httpHandlerConfigs(): NodeHttpHandlerOptions {
    return this.routes.direct.httpHandlerConfigs();
  }

  destroy(): void {
    this.routes.budget.close();
    this.routes.pool.destroy();
    this.routes.direct.destroy();
    this.routes.proxies?.proxied.destroy();
  }

  /** Sends through the proxy's handler; says so once per origin. */
  private async viaProxy(
    origin: Origin,
    proxy: EnvProxy,
    request: HttpRequest,
    options: HttpHandlerOptions,
  ): Promise<{ response: HttpResponse }> {
    const { proxied, logger } = this.routes.proxies as NonNullable<Routes["proxies"]>;
    const endpoint = `${origin.tls ? "https" : "http"}://${origin.host}:${origin.port}`;
    if (!this.proxiedOrigins.has(endpoint)) {
      this.proxiedOrigins.add(endpoint);
      logger.info(
        { endpoint, proxy: proxy.label, variable: proxy.variable },
        "S3 requests go through a proxy; the fast read path is off for this endpoint",
      );
    }
    const out = await proxied.handle(request, options);
    if (out.response.statusCode === 407) {
      (out.response.body as Readable | undefined)?.destroy?.();
      throw new LongbowError(
        "ProxyAuthenticationRequired",
        `the proxy ${proxy.label} (${proxy.variable}) refused the request to ${endpoint}: 407 Proxy Authentication Required; put its user and password in ${proxy.variable} (http://user:password@host:port) or list the endpoint's host in NO_PROXY`,
        { context: { endpoint } },
      );
    }
    return out;
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
