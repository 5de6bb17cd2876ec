import { Agent, createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { forward, listenOnLoopback } from "../support/loopback-http.js";

/**
 * A loopback HTTP proxy in front of one emulator endpoint that lets through only requests
 * signed with that endpoint's access key. The emulator itself accepts any key, so without
 * this a client built with the other side's credentials would go unnoticed; with it, the
 * request fails with 403 InvalidAccessKeyId and the counters show which key was used.
 */
export interface KeyGuard {
  readonly endpoint: string;
  readonly close: () => Promise<void>;
}

export interface KeyGuardStats {
  accepted: Record<string, number>;
  rejected: Record<string, number>;
}

/** Path on the guard that returns {@link KeyGuardStats}; not a valid bucket name, so no clash with S3. */
export const keyGuardStatsPath = "/__key_guard/stats";

/** Access key id from a SigV4 Authorization header or a presigned URL's X-Amz-Credential. */
export function accessKeyOf(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (auth) {
    const m = /Credential=([^/,\s]+)\//.exec(auth);
    if (m) return m[1];
  }
  const url = new URL(req.url ?? "/", "http://x");
  const cred = url.searchParams.get("X-Amz-Credential");
  return cred ? cred.split("/")[0] : undefined;
}

function reject(res: ServerResponse, name: string, got: string | undefined): void {
  const message = `key guard '${name}': request carried access key ${got ?? "(none)"}, not this endpoint's key`;
  const body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidAccessKeyId</Code><Message>${message}</Message></Error>`;
  res.writeHead(403, { "content-type": "application/xml", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

export async function startKeyGuard(options: {
  name: string;
  target: string;
  accessKeyId: string;
}): Promise<KeyGuard> {
  const target = new URL(options.target);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const stats: KeyGuardStats = { accepted: {}, rejected: {} };

  const server = createServer((req, res) => {
    if (req.url === keyGuardStatsPath) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(stats));
      return;
    }
    const key = accessKeyOf(req);
    if (key !== options.accessKeyId) {
      const label = key ?? "(none)";
      stats.rejected[label] = (stats.rejected[label] ?? 0) + 1;
      req.resume();
      reject(res, options.name, key);
      return;
    }
    stats.accepted[key] = (stats.accepted[key] ?? 0) + 1;
    forward(req, res, target, agent);
  });
  server.keepAliveTimeout = 30_000;
  return {
    endpoint: await listenOnLoopback(server),
    close: () =>
      new Promise<void>((r) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Reads a guard's counters (works from any process: it is an HTTP call). */
export async function keyGuardStats(endpoint: string): Promise<KeyGuardStats> {
  const res = await fetch(`${endpoint}${keyGuardStatsPath}`);
  return (await res.json()) as KeyGuardStats;
}
