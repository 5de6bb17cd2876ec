import type { Agent, IncomingMessage, Server, ServerResponse } from "node:http";
import { request } from "node:http";
import type { AddressInfo, Server as NetServer } from "node:net";

/** Starts `server` on a free loopback port; returns its `http://127.0.0.1:<port>` URL. */
export async function listenOnLoopback(server: Server | NetServer): Promise<string> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export interface ForwardOptions {
  /** @defaultValue the request's own */
  headers?: IncomingMessage["headers"];
  /** The whole body, when the proxy has read it already. @defaultValue the request streamed on */
  body?: Buffer;
  /** Answers `res` from the upstream answer (status, headers, body). @defaultValue the answer piped on as is */
  relay?: (up: IncomingMessage) => void;
}

/**
 * Sends `req` on to `target` as it came (method, path, headers) and its answer back to
 * `res`; an upstream failure drops the client's connection, as a broken network would.
 */
export function forward(
  req: IncomingMessage,
  res: ServerResponse,
  target: URL,
  agent: Agent | undefined,
  options: ForwardOptions = {},
): void {
  const upstream = request(
    {
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: options.headers ?? req.headers,
      agent,
    },
    (up) => {
      if (options.relay !== undefined) return options.relay(up);
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    },
  );
  upstream.on("error", () => res.destroy());
  if (options.body !== undefined) {
    upstream.end(options.body);
    return;
  }
  req.on("aborted", () => upstream.destroy());
  req.pipe(upstream);
}
