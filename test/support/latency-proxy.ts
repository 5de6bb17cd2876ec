import { Agent, createServer } from "node:http";
import { forward, listenOnLoopback } from "./loopback-http.js";

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
  /** Resolves once `n` requests of operations ending with `name` have been answered in full. */
  answered(name: string, n: number): Promise<void>;
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
   * requests; a promise holds the request until it settles (to answer once other requests
   * have been answered, see {@link LatencyProxy.answered}). @defaultValue every request is forwarded
   */
  answer?: (op: string, n: number) => InjectedAnswer | undefined | Promise<InjectedAnswer | undefined>;
}

/** A response the proxy gives in the service's place: an AWS JSON error, say. */
export interface InjectedAnswer {
  status: number;
  body: string;
}

/** An AWS JSON-protocol throttling error: the SDK retries it, and its adaptive mode slows the client. */
export const throttlingError = (): InjectedAnswer => ({
  status: 400,
  body: JSON.stringify({
    __type: "com.amazon.coral.availability#ThrottlingException",
    message: "Rate exceeded",
  }),
});

/** An AWS JSON-protocol error the SDK does not retry (a client fault). */
export const validationError = (message = "injected by the test proxy"): InjectedAnswer => ({
  status: 400,
  body: JSON.stringify({ __type: "com.amazon.coral.validate#ValidationException", message }),
});

/**
 * A loopback HTTP proxy in front of an AWS JSON-protocol endpoint (SQS, DynamoDB) that adds
 * a fixed latency to every request and counts requests, and how many were in flight at
 * once, by operation. The client's connections are kept alive, as an SDK's are with a real
 * endpoint; towards the emulator each request has its own (see below).
 */
export async function startLatencyProxy(options: LatencyProxyOptions): Promise<LatencyProxy> {
  const to = new URL(options.target);
  if (!["127.0.0.1", "localhost", "[::1]"].includes(to.hostname)) {
    throw new Error(`latency proxy target must be a loopback address, got '${to.hostname}'`);
  }
  const delayMs = options.delayMs ?? 0;
  // A fresh connection to the emulator per request: with its connections kept alive (the
  // bench's keep-alive patch), werkzeug writes the headers and the body of a small answer in
  // two segments and Nagle's algorithm holds the second for the client's delayed ACK, about
  // 40 ms per request that real endpoints do not charge. The client's side stays kept alive.
  const agent = new Agent({ keepAlive: false, maxSockets: 256 });
  let stats: Record<string, OperationStats & { inFlight: number; answered: number }> = {};
  let inFlight = 0;
  let maxInFlight = 0;
  const waiters: { name: string; n: number; resolve: () => void }[] = [];
  const countOf = (names: readonly string[]) =>
    Object.entries(stats).reduce(
      (total, [op, s]) => total + (names.some((x) => op.endsWith(`.${x}`)) ? s.requests : 0),
      0,
    );
  const answeredOf = (name: string) =>
    Object.entries(stats).reduce((total, [op, s]) => total + (op.endsWith(`.${name}`) ? s.answered : 0), 0);
  const wake = () => {
    for (const w of [...waiters]) {
      if (answeredOf(w.name) < w.n) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };
  const server = createServer((req, res) => {
    const op = String(req.headers["x-amz-target"] ?? `${req.method} ${req.url?.split("?")[0]}`);
    stats[op] ??= { requests: 0, maxInFlight: 0, inFlight: 0, answered: 0 };
    const s = stats[op];
    s.requests++;
    const n = s.requests;
    s.inFlight++;
    s.maxInFlight = Math.max(s.maxInFlight, s.inFlight);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let ended = false;
    const end = (finished: boolean) => {
      if (ended) return;
      ended = true;
      s.inFlight--;
      inFlight--;
      if (finished) {
        s.answered++;
        wake();
      }
    };
    // "finish": the answer has been handed on, before the client can send its next request
    res.on("finish", () => end(true));
    res.on("close", () => end(false));
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const pass = async () => {
        const injected = await options.answer?.(op, n);
        if (injected !== undefined) {
          res.writeHead(injected.status, { "content-type": "application/x-amz-json-1.0" });
          res.end(injected.body);
          return;
        }
        forward(req, res, to, agent, {
          headers: { ...req.headers, connection: "close" },
          body: Buffer.concat(chunks),
        });
      };
      const go = () => void pass().catch(() => res.destroy());
      if (delayMs > 0) setTimeout(go, delayMs);
      else go();
    });
  });
  server.keepAliveTimeout = 60_000;
  const endpoint = await listenOnLoopback(server);
  const operations = () =>
    Object.fromEntries(
      Object.entries(stats).map(([op, s]) => [op, { requests: s.requests, maxInFlight: s.maxInFlight }]),
    );
  return {
    endpoint,
    operations,
    maxInFlight: () => maxInFlight,
    count: countOf,
    answered: (name, n) =>
      new Promise<void>((resolve) => {
        waiters.push({ name, n, resolve });
        wake();
      }),
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
