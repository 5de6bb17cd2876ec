import { createServer, request } from "node:http";
import net from "node:net";

/** What a {@link startHttpProxy} proxy saw. */
export interface HttpProxy {
  /** `http://127.0.0.1:port`. */
  url: string;
  /** Plain requests forwarded (absolute-form request lines, for http:// targets). */
  forwarded: number;
  /** CONNECT tunnels opened (for https:// targets). */
  tunnels: number;
  /** Every Proxy-Authorization header received, in order. */
  authorizations: string[];
  /** The local ports of the proxy's own connections to the targets. */
  upstreamPorts: Set<number>;
  close(): Promise<void>;
}

/**
 * A loopback HTTP proxy as corporate networks run them: it forwards plain requests given
 * in absolute form and tunnels CONNECT requests, and counts both. With `requireAuth`
 * (`user:password`), it answers 407 to requests without those credentials.
 */
export async function startHttpProxy(options: { requireAuth?: string } = {}): Promise<HttpProxy> {
  const expected =
    options.requireAuth === undefined
      ? undefined
      : `Basic ${Buffer.from(options.requireAuth).toString("base64")}`;
  const refused = (auth: string | undefined) => expected !== undefined && auth !== expected;
  const refusal =
    'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n';
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  };
  const noteUpstream = (s: net.Socket) => {
    track(s);
    const note = () => s.localPort !== undefined && proxy.upstreamPorts.add(s.localPort);
    if (s.connecting) s.once("connect", note);
    else note();
  };
  const noteAuth = (value: string | undefined) => {
    if (value !== undefined) proxy.authorizations.push(value);
  };
  const server = createServer((req, res) => {
    proxy.forwarded++;
    noteAuth(req.headers["proxy-authorization"]);
    if (refused(req.headers["proxy-authorization"])) {
      req.resume();
      res.writeHead(407, { "proxy-authenticate": 'Basic realm="test"', "content-length": 0 });
      res.end();
      return;
    }
    const to = new URL(req.url ?? "/");
    const headers = { ...req.headers };
    delete headers["proxy-authorization"];
    delete headers["proxy-connection"];
    const upstream = request(
      { host: to.hostname, port: to.port, method: req.method, path: `${to.pathname}${to.search}`, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("socket", noteUpstream);
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  server.on("connection", track);
  server.on("connect", (req, client: net.Socket, head: Buffer) => {
    proxy.tunnels++;
    noteAuth(req.headers["proxy-authorization"]);
    if (refused(req.headers["proxy-authorization"])) {
      client.end(refusal);
      return;
    }
    const at = (req.url ?? "").lastIndexOf(":");
    const upstream = net.connect(Number(req.url?.slice(at + 1)), req.url?.slice(0, at), () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    noteUpstream(upstream);
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      a.on("error", () => b.destroy());
      a.on("close", () => b.destroy());
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const proxy: HttpProxy = {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    forwarded: 0,
    tunnels: 0,
    authorizations: [],
    upstreamPorts: new Set(),
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
  return proxy;
}
