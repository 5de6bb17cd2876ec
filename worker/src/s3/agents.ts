import type { ClientRequest } from "node:http";
import net from "node:net";
import type { Duplex } from "node:stream";
import tls from "node:tls";
import { Agent, type AgentConnectOpts } from "agent-base";
import { HttpProxyAgent } from "http-proxy-agent";
import { HttpsProxyAgent } from "https-proxy-agent";
import type { EnvProxy } from "./proxy.js";
import type { SocketBudget } from "./socket-budget.js";

/** Connections straight to the endpoint, as Node's own agents open them. */
class DirectAgent extends Agent {
  connect(_req: ClientRequest, opts: AgentConnectOpts): Duplex {
    return opts.secureEndpoint ? tls.connect(opts) : net.connect(opts);
  }
}

/** CONNECT tunnels through an https proxy, checking the endpoint's certificate by its own name. */
class TunnelAgent extends HttpsProxyAgent<string> {
  override connect(req: ClientRequest, opts: AgentConnectOpts) {
    const host = opts.host;
    // The library starts TLS inside the tunnel without `host`, so Node would check the
    // certificate of an endpoint addressed by IP against "localhost".
    if (host === undefined || net.isIP(host) === 0) return super.connect(req, opts);
    const checkServerIdentity = (_: string, cert: tls.PeerCertificate) => tls.checkServerIdentity(host, cert);
    return super.connect(req, { ...opts, checkServerIdentity } as AgentConnectOpts);
  }
}

/** Signals when `req` closes (finished, or destroyed by a timeout or abort). */
function closeSignal(req: ClientRequest): AbortSignal {
  const ac = new AbortController();
  req.once("close", () => ac.abort());
  return ac.signal;
}

/** Closes the oldest parked socket of `agent`; false when none is parked. */
function closeOneFree(agent: Agent): boolean {
  for (const sockets of Object.values(agent.freeSockets)) {
    // The oldest: Node's agent hands out the newest. A destroyed one stays listed until it closes.
    const socket = sockets?.find((s) => !s.destroyed);
    if (socket !== undefined) {
      socket.destroy();
      return true;
    }
  }
  return false;
}

/**
 * Makes `agent` open connections only with a slot of `budget`, hold the slot until the
 * connection closes, and close parked connections while the budget is short. Each agent
 * serves one protocol, so it need not guess which from the call stack.
 */
function inBudget<A extends Agent>(agent: A, budget: SocketBudget, secure: boolean): A {
  const connect = agent.connect.bind(agent);
  const keepSocketAlive = agent.keepSocketAlive.bind(agent);
  agent.isSecureEndpoint = () => secure;
  agent.connect = async (req, opts) => {
    const release = await budget.take(closeSignal(req));
    try {
      const socket = (await connect(req, opts)) as Duplex;
      socket.once("close", release);
      return socket;
    } catch (err) {
      release();
      throw err;
    }
  };
  // A parked socket would keep a slot another pool waits for.
  agent.keepSocketAlive = (socket) => !budget.contended && (keepSocketAlive(socket) as unknown as boolean);
  budget.onContention(() => closeOneFree(agent));
  return agent;
}

/**
 * The SDK handler's agents for one S3 client: keep-alive, at most `budget.limit`
 * connections between them and every other pool of the client, through `proxies` where
 * given (CONNECT tunnels for https, forwarded requests for http).
 */
export function budgetedAgents(
  budget: SocketBudget,
  proxies: { http?: EnvProxy | undefined; https?: EnvProxy | undefined } = {},
): { httpAgent: Agent; httpsAgent: Agent } {
  const options = { keepAlive: true, maxSockets: budget.limit, maxTotalSockets: budget.limit };
  return {
    httpAgent: inBudget(
      proxies.http === undefined
        ? new DirectAgent(options)
        : new HttpProxyAgent(...withoutCredentials(proxies.http.url, options)),
      budget,
      false,
    ),
    httpsAgent: inBudget(
      proxies.https === undefined
        ? new DirectAgent(options)
        : new TunnelAgent(...withoutCredentials(proxies.https.url, options)),
      budget,
      true,
    ),
  };
}

/**
 * The proxy's URL without its credentials, which go in a Proxy-Authorization header
 * instead: the libraries print their proxy's URL when DEBUG names them.
 */
function withoutCredentials<O extends object>(
  url: URL,
  options: O,
): [string, O & { headers?: Record<string, string> }] {
  const bare = `${url.protocol}//${url.host}`;
  if (url.username === "" && url.password === "") return [bare, options];
  const user = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  return [
    bare,
    { ...options, headers: { "Proxy-Authorization": `Basic ${Buffer.from(user).toString("base64")}` } },
  ];
}
