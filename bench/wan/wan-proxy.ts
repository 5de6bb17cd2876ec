import { type AddressInfo, connect, createServer, type Socket } from "node:net";
import { seededRandom } from "../../test/support/fault-proxy.js";
import { delayedPipe } from "./delayed-pipe.js";

const KiB = 1024;

export interface WanProxyOptions {
  /** The server behind the proxy, as `http://host:port` or `host:port` (loopback only). */
  target: string;
  /** Added to every chunk in each direction; a request/response costs two of these. @defaultValue 100 */
  oneWayDelayMs?: number;
  /** Bytes in flight per connection and direction: one connection moves at most window ÷ delay. @defaultValue 512 KiB */
  windowBytes?: number;
  /**
   * Round trips a new connection spends before its first byte moves (TCP's handshake is one,
   * TLS 1.3 adds one), so reusing connections pays off as it does on a real long link.
   * @defaultValue 2
   */
  handshakeRoundTrips?: number;
  /** Fraction of connections, 0..1, cut with a TCP reset partway through. @defaultValue 0 */
  resetFraction?: number;
  /** A connection chosen for a reset is cut after a random 1..this many bytes (both directions). @defaultValue 1 MiB */
  resetWithinBytes?: number;
  /** Seed of the reset draw, so a run can be repeated. @defaultValue 1 */
  seed?: number;
}

export interface WanProxyStats {
  connections: number;
  resets: number;
  /** Client to server. */
  bytesUp: number;
  /** Server to client. */
  bytesDown: number;
}

export interface WanProxy {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly port: number;
  stats(): WanProxyStats;
  close(): Promise<void>;
}

function parseTarget(target: string): { host: string; port: number } {
  const url = new URL(target.includes("://") ? target : `tcp://${target}`);
  const host = url.hostname;
  if (host !== "127.0.0.1" && host !== "localhost" && host !== "[::1]") {
    throw new Error(`WAN proxy target must be a loopback address, got '${host}'`);
  }
  return { host, port: Number(url.port) };
}

/**
 * A loopback TCP proxy that makes the path to `target` look like a long, thin, lossy
 * link: fixed one-way delay, a per-connection window, a handshake cost per new connection,
 * and optional resets. It moves bytes, not HTTP, so every client is treated alike.
 */
export async function startWanProxy(options: WanProxyOptions): Promise<WanProxy> {
  const target = parseTarget(options.target);
  const delayMs = options.oneWayDelayMs ?? 100;
  const windowBytes = options.windowBytes ?? 512 * KiB;
  const handshakeMs = (options.handshakeRoundTrips ?? 2) * 2 * delayMs;
  const resetFraction = options.resetFraction ?? 0;
  const resetWithinBytes = options.resetWithinBytes ?? 1024 * KiB;
  const random = seededRandom(options.seed ?? 1);
  const stats: WanProxyStats = { connections: 0, resets: 0, bytesUp: 0, bytesDown: 0 };
  const open = new Set<Socket>();

  const server = createServer({ noDelay: true, allowHalfOpen: true }, (client) => {
    stats.connections++;
    const upstream = connect({ host: target.host, port: target.port, noDelay: true, allowHalfOpen: true });
    open.add(client);
    open.add(upstream);
    const cutAfter = random() < resetFraction ? 1 + Math.floor(random() * resetWithinBytes) : Infinity;
    let moved = 0;
    const count = (n: number) => {
      moved += n;
      if (moved >= cutAfter && !client.destroyed) {
        stats.resets++;
        client.resetAndDestroy();
        upstream.destroy();
      }
    };
    const openAt = Date.now() + handshakeMs;
    const direction = (from: Socket, to: Socket, moved: "bytesUp" | "bytesDown") =>
      delayedPipe(from, to, {
        delayMs,
        windowBytes,
        openAt,
        onBytes: (n) => {
          stats[moved] += n;
          count(n);
        },
      });
    direction(client, upstream, "bytesUp");
    direction(upstream, client, "bytesDown");
    const teardown = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", teardown);
    upstream.on("error", teardown);
    client.on("close", () => open.delete(client));
    upstream.on("close", () => open.delete(upstream));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    stats: () => ({ ...stats }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
