import { Agent, createServer, type IncomingHttpHeaders } from "node:http";
import { forward, listenOnLoopback } from "./loopback-http.js";

/** One request as the proxy saw it. */
export interface SeenRequest {
  /** 0-based arrival order. */
  index: number;
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: IncomingHttpHeaders;
}

/**
 * What the proxy does to one request. `corrupt` inverts the body's middle byte; `flipBit`
 * flips the lowest bit of its first byte (the smallest possible corruption); `answerLost`
 * lets the server carry the request out, then drops the connection before its answer;
 * `noSuchUpload` answers 404 NoSuchUpload without forwarding (S3's answer for an upload
 * that is gone, completed or aborted); `notFound` answers 404 NoSuchKey without forwarding
 * (an object S3 has not made visible yet).
 */
export type Fault =
  | "none"
  | "http500"
  | "slowDown503"
  | "drop"
  | "truncate"
  | "corrupt"
  | "flipBit"
  | "answerLost"
  | "noSuchUpload"
  | "notFound";

export interface FaultProxyOptions {
  /** Where requests go: an emulator side's key-guard `endpoint` (or its `directEndpoint`). */
  target: string;
  /**
   * Picks the fault for each request. @defaultValue none; see {@link randomFaults} and
   * {@link corruptNth} for ready-made policies.
   */
  fault?: (req: SeenRequest) => Fault;
  /** Awaited before a request is forwarded, e.g. to overwrite the source mid-copy. */
  beforeForward?: (req: SeenRequest) => Promise<void> | void;
}

export interface FaultProxy {
  readonly endpoint: string;
  /** Every request seen, in order (headers included, so tests can check Content-MD5). */
  readonly requests: SeenRequest[];
  /** How many times each fault was injected. */
  readonly injected: Record<Fault, number>;
  close(): Promise<void>;
}

/** A deterministic pseudo-random generator (mulberry32), so a faulty run can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Answers a `rate` fraction of requests with 500, 503 SlowDown, a dropped connection or a body cut short. */
export function randomFaults(rate: number, seed = 42): (req: SeenRequest) => Fault {
  const rnd = seededRandom(seed);
  const kinds: Fault[] = ["http500", "slowDown503", "drop", "truncate"];
  return () => (rnd() < rate ? (kinds[Math.floor(rnd() * kinds.length)] as Fault) : "none");
}

/** A GET of object bytes (not a listing, an upload listing or a tagging read). */
export const isObjectGet = (r: SeenRequest): boolean =>
  r.method === "GET" &&
  !r.url.includes("uploads") &&
  !r.url.includes("list-type") &&
  !r.url.includes("tagging");

/** Corrupts the body of the `n`-th (1-based) request that `matches` (`corrupt` by default). */
export function corruptNth(
  n: number,
  matches: (req: SeenRequest) => boolean,
  fault: "corrupt" | "flipBit" = "corrupt",
): (req: SeenRequest) => Fault {
  let seen = 0;
  return (req) => (matches(req) && ++seen === n ? fault : "none");
}

/** Where {@link FaultProxyOptions.beforeForward} holds requests until the test lets them go on. */
export interface Gate {
  /** Resolves once the gate is open (at once if it is). */
  pass(): Promise<void>;
  /** Requests waiting at the gate now. */
  readonly waiting: number;
  /** Lets every waiting request and every later one through. */
  open(): void;
}

/**
 * A closed gate: a request held at it stays held until the test opens it, so "mid-copy" is
 * a state the test waits for and ends, not a guess at how long a copy takes.
 */
export function gate(): Gate {
  let opened = false;
  let waiting = 0;
  let open: () => void = () => {};
  const opening = new Promise<void>((r) => {
    open = r;
  });
  return {
    async pass() {
      if (opened) return;
      waiting++;
      await opening;
      waiting--;
    },
    get waiting() {
      return waiting;
    },
    open() {
      opened = true;
      open();
    },
  };
}

function errorXml(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message><RequestId>fault-proxy</RequestId></Error>`;
}

/**
 * A loopback HTTP proxy for tests that injects faults into S3 traffic: server errors,
 * dropped connections, truncated or corrupted response bodies, and records every request.
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const requests: SeenRequest[] = [];
  const injected: Record<Fault, number> = {
    none: 0,
    http500: 0,
    slowDown503: 0,
    drop: 0,
    truncate: 0,
    corrupt: 0,
    flipBit: 0,
    answerLost: 0,
    noSuchUpload: 0,
    notFound: 0,
  };

  const server = createServer(async (req, res) => {
    const seen: SeenRequest = {
      index: requests.length,
      method: req.method ?? "GET",
      url: req.url ?? "/",
      headers: req.headers,
    };
    requests.push(seen);
    const fault = options.fault?.(seen) ?? "none";
    injected[fault]++;
    if (
      fault === "http500" ||
      fault === "slowDown503" ||
      fault === "drop" ||
      fault === "noSuchUpload" ||
      fault === "notFound"
    ) {
      req.resume();
      req.on("end", () => {
        if (fault === "drop") {
          res.socket?.destroy();
          return;
        }
        const [status, body] =
          fault === "http500"
            ? [500, errorXml("InternalError", "injected by the fault proxy")]
            : fault === "noSuchUpload"
              ? [404, errorXml("NoSuchUpload", "The specified upload does not exist.")]
              : fault === "notFound"
                ? [404, errorXml("NoSuchKey", "The specified key does not exist.")]
                : [503, errorXml("SlowDown", "injected by the fault proxy")];
        res.writeHead(status, {
          "content-type": "application/xml",
          "content-length": Buffer.byteLength(body),
        });
        res.end(body);
      });
      return;
    }
    try {
      await options.beforeForward?.(seen);
    } catch {
      res.socket?.destroy();
      return;
    }
    forward(req, res, target, agent, {
      relay: (up) => {
        if (fault === "answerLost") {
          up.resume();
          up.on("end", () => res.socket?.destroy());
          return;
        }
        res.writeHead(up.statusCode ?? 502, up.headers);
        const length = Number(up.headers["content-length"] ?? 0);
        if (fault === "truncate" && length > 1) {
          let sent = 0;
          up.on("data", (chunk: Buffer) => {
            const room = Math.floor(length / 2) - sent;
            if (room > 0) res.write(chunk.subarray(0, room));
            sent += chunk.length;
            if (sent >= length / 2) {
              up.destroy();
              res.socket?.destroy();
            }
          });
          return;
        }
        if ((fault === "corrupt" || fault === "flipBit") && length > 0) {
          let offset = 0;
          const at = fault === "corrupt" ? Math.floor(length / 2) : 0;
          const mask = fault === "corrupt" ? 0xff : 0x01;
          up.on("data", (chunk: Buffer) => {
            if (at >= offset && at < offset + chunk.length) {
              const copy = Buffer.from(chunk);
              copy[at - offset] = (copy[at - offset] as number) ^ mask;
              res.write(copy);
            } else {
              res.write(chunk);
            }
            offset += chunk.length;
          });
          up.on("end", () => res.end());
          return;
        }
        up.pipe(res);
      },
    });
  });
  server.keepAliveTimeout = 30_000;
  return {
    endpoint: await listenOnLoopback(server),
    requests,
    injected,
    close: () =>
      new Promise<void>((r) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/**
 * A fault proxy to `target` that holds every PUT whose URL `holds` picks (the later parts of
 * an upload, say) at `held` until the gate opens, so a run can be interrupted mid-copy.
 */
export async function startHoldingProxy(
  target: string,
  holds: (url: string) => boolean,
): Promise<{ proxy: FaultProxy; held: Gate }> {
  const held = gate();
  const proxy = await startFaultProxy({
    target,
    beforeForward: async (r) => {
      if (r.method === "PUT" && holds(r.url)) await held.pass();
    },
  });
  return { proxy, held };
}
