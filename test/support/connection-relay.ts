import net from "node:net";
import tls from "node:tls";

/** A loopback TCP relay to one server that counts the connections made through it. */
export interface ConnectionRelay {
  /** `http://127.0.0.1:port`, or `https://127.0.0.1:port` when the relay speaks TLS. */
  endpoint: string;
  /** Connections accepted so far. */
  accepted: number;
  /** Connections the client holds now: accepted, and not yet ended (FIN or reset) by the client. */
  open: number;
  /** The most connections the client held at once. */
  peak: number;
  /** The client-side ports of every connection accepted. */
  remotePorts: Set<number>;
  /** Resolves once `n` connections were held at once. */
  openAtOnce(n: number): Promise<void>;
  /** Resolves once `n` connections were accepted in all. */
  acceptedAtLeast(n: number): Promise<void>;
  /** Holds every answer from now on, until `release()`. */
  hold(): void;
  /** Lets answers through again. */
  release(): void;
  close(): Promise<void>;
}

/**
 * Starts a relay to `target`. While held (from the start with `held`, or after `hold()`),
 * it accepts connections and passes requests on but holds the answers, so a test can see
 * how many connections a client opens before any request finishes. With `tls`, it
 * terminates TLS in front of a plain-text target.
 */
export async function startConnectionRelay(
  target: URL,
  options: { held?: boolean; tls?: { key: Buffer; cert: Buffer } } = {},
): Promise<ConnectionRelay> {
  const sockets = new Set<net.Socket>();
  const watchers: Array<{ done: () => boolean; resolve: () => void }> = [];
  let gate: { promise: Promise<void>; open: () => void } | undefined;
  const check = () => {
    for (const w of watchers.filter((w) => w.done())) {
      watchers.splice(watchers.indexOf(w), 1);
      w.resolve();
    }
  };
  const when = (done: () => boolean) =>
    done() ? Promise.resolve() : new Promise<void>((resolve) => watchers.push({ done, resolve }));
  const relay: ConnectionRelay = {
    endpoint: "",
    accepted: 0,
    open: 0,
    peak: 0,
    remotePorts: new Set(),
    openAtOnce: (n) => when(() => relay.peak >= n),
    acceptedAtLeast: (n) => when(() => relay.accepted >= n),
    hold: () => {
      if (gate !== undefined) return;
      let open = () => {};
      const promise = new Promise<void>((r) => {
        open = r;
      });
      gate = { promise, open };
    },
    release: () => {
      gate?.open();
      gate = undefined;
    },
    close: () =>
      new Promise<void>((r) => {
        relay.release();
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
  if (options.held) relay.hold();
  const onClient = (client: net.Socket) => {
    relay.accepted++;
    relay.open++;
    if (client.remotePort !== undefined) relay.remotePorts.add(client.remotePort);
    // Counted once events already queued have run: a connection the client closed before
    // opening this one may have its end waiting behind this accept.
    setImmediate(() => {
      relay.peak = Math.max(relay.peak, relay.open);
      check();
    });
    let ended = false;
    const onEnd = () => {
      if (ended) return;
      ended = true;
      relay.open--;
    };
    const upstream = net.connect(Number(target.port), target.hostname);
    sockets.add(client);
    sockets.add(upstream);
    // The client's side always flows, so its end is seen when it comes (a pipe would stop
    // reading once the server's side closed).
    client.on("data", (chunk: Buffer) => void (upstream.destroyed || upstream.write(chunk)));
    for (const event of ["end", "error", "close"]) client.once(event, onEnd);
    client.on("error", () => client.destroy());
    client.on("close", () => {
      sockets.delete(client);
      upstream.destroy();
    });
    // Answers pass in order, each waiting for the gate of its moment (the server's end too:
    // a server that closes after answering must not cut a held answer short).
    let passed = Promise.resolve();
    const pass = (step: () => void) => {
      passed = passed.then(() => gate?.promise).then(step);
    };
    upstream.on("data", (chunk: Buffer) => {
      upstream.pause();
      pass(() => {
        client.write(chunk);
        upstream.resume();
      });
    });
    upstream.on("error", () => pass(() => client.destroy()));
    upstream.on("close", () => {
      sockets.delete(upstream);
      pass(() => client.end());
    });
  };
  const server =
    options.tls === undefined ? net.createServer(onClient) : tls.createServer(options.tls, onClient);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  relay.endpoint = options.tls === undefined ? `http://127.0.0.1:${port}` : `https://127.0.0.1:${port}`;
  return relay;
}
