import { Agent, createServer, request } from "node:http";
import type { AddressInfo } from "node:net";

/** What the proxy saw of one operation (an `X-Amz-Target`, e.g. `DynamoDB_20120810.GetItem`). */
export interface OperationStats {
  requests: number;
  /** Most requests of this operation in flight at once. */
  maxInFlight: number;
}

export interface LatencyProxy {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Per operation, since the start or the last {@link LatencyProxy.reset}. */
  operations(): Record<string, OperationStats>;
  /** Most requests of any operation in flight at once. */
  maxInFlight(): number;
  /** Requests whose operation ends with one of `names` (`["GetItem", "TransactWriteItems"]`). */
  count(names: readonly string[]): number;
  reset(): void;
  close(): Promise<void>;
}

export interface LatencyProxyOptions {
  /** Where requests go, e.g. an emulator side's `directEndpoint` (loopback only). */
  target: string;
  /** Held before each request is forwarded: the added round trip of a far region. @defaultValue 0 */
  delayMs?: number;
  /**
   * Answers a request itself instead of forwarding it, after the delay (an injected
   * failure): called with the operation and its 1-based number among that operation's
   * requests. @defaultValue every request is forwarded
   */
  answer?: (op: string, n: number) => InjectedAnswer | undefined;
}

/** A response the proxy gives in the service's place: an AWS JSON error, say. */
export interface InjectedAnswer {
  status: number;
  body: string;
}

/** An AWS JSON-protocol error the SDK does not retry (a client fault). */
export const validationError = (message = "injected by the test proxy"): InjectedAnswer => ({
  status: 400,
  body: JSON.stringify({ __type: "com.amazon.coral.validate#ValidationException", message }),
});

/**
 * A loopback HTTP proxy in front of an AWS JSON-protocol endpoint (SQS, DynamoDB) that adds
 * a fixed latency to every request and counts requests, and how many were in flight at
 * once, by operation. Connections are kept alive on both sides, as an SDK's are with a real
 * endpoint, so the delay is the only cost it adds.
 */
export async function startLatencyProxy(options: LatencyProxyOptions): Promise<LatencyProxy> {
  const to = new URL(options.target);
  if (!["127.0.0.1", "localhost", "[::1]"].includes(to.hostname)) {
    throw new Error(`latency proxy target must be a loopback address, got '${to.hostname}'`);
  }
  const delayMs = options.delayMs ?? 0;
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  let stats: Record<string, OperationStats & { inFlight: number }> = {};
  let inFlight = 0;
  let maxInFlight = 0;
  const server = createServer((req, res) => {
    const op = String(req.headers["x-amz-target"] ?? `${req.method} ${req.url?.split("?")[0]}`);
    stats[op] ??= { requests: 0, maxInFlight: 0, inFlight: 0 };
    const s = stats[op];
    s.requests++;
    const n = s.requests;
    s.inFlight++;
    s.maxInFlight = Math.max(s.maxInFlight, s.inFlight);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      s.inFlight--;
      inFlight--;
    };
    // "finish": the answer has been handed on, before the client can send its next request
    res.on("finish", end);
    res.on("close", end);
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const forward = () => {
        const injected = options.answer?.(op, n);
        if (injected !== undefined) {
          res.writeHead(injected.status, { "content-type": "application/x-amz-json-1.0" });
          res.end(injected.body);
          return;
        }
        const upstream = request(
          {
            host: to.hostname,
            port: to.port,
            method: req.method,
            path: req.url,
            headers: req.headers,
            agent,
          },
          (up) => {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
          },
        );
        upstream.on("error", () => res.destroy());
        upstream.end(Buffer.concat(chunks));
      };
      if (delayMs > 0) setTimeout(forward, delayMs);
      else forward();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const operations = () =>
    Object.fromEntries(
      Object.entries(stats).map(([op, s]) => [op, { requests: s.requests, maxInFlight: s.maxInFlight }]),
    );
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    operations,
    maxInFlight: () => maxInFlight,
    count: (names) =>
      Object.entries(stats).reduce(
        (n, [op, s]) => n + (names.some((x) => op.endsWith(`.${x}`)) ? s.requests : 0),
        0,
      ),
    reset: () => {
      stats = {};
      maxInFlight = inFlight;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        agent.destroy();
        server.close(() => r());
      }),
  };
}
