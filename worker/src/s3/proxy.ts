import { LongbowError } from "../errors.js";
import type { Origin } from "./http1/connection.js";

/** A proxy from the environment. */
export interface EnvProxy {
  url: URL;
  /** The variable that named it, e.g. `HTTPS_PROXY`. */
  variable: string;
  /** Scheme, host and port only: what may be logged (never the credentials). */
  label: string;
}

/** One NO_PROXY entry: a host with its subdomains, on any port or one. */
interface Bypass {
  host: string;
  port: number | undefined;
}

/** The proxies the environment names, and which origins bypass them. */
export interface ProxyRoutes {
  /** The proxy for requests to `origin`, or `undefined` for a direct connection. */
  proxyFor(origin: Origin): EnvProxy | undefined;
  readonly http: EnvProxy | undefined;
  readonly https: EnvProxy | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

/** The value of `name`, the lower-case form first (as curl and Node.js read them); blank is unset. */
function read(env: Env, name: string): { variable: string; value: string } | undefined {
  for (const variable of [name.toLowerCase(), name]) {
    const value = env[variable]?.trim();
    if (value !== undefined && value !== "") return { variable, value };
  }
  return undefined;
}

function proxyFrom(env: Env, name: string): EnvProxy | undefined {
  const found = read(env, name);
  if (found === undefined) return undefined;
  const { variable, value } = found;
  let url: URL | undefined;
  try {
    // `host:port` without a scheme means an HTTP proxy, as for curl.
    url = new URL(value.includes("://") ? value : `http://${value}`);
  } catch {
    url = undefined;
  }
  // The value may hold credentials: messages name the variable, never quote it.
  if (url === undefined || url.hostname === "") {
    throw new LongbowError(
      "InvalidOption",
      `${variable} is not a proxy URL; set it to http://host:port or https://host:port, or unset it`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new LongbowError(
      "InvalidOption",
      `${variable} names a ${url.protocol}// proxy; Longbow's S3 clients go through http:// and https:// proxies only`,
    );
  }
  return { url, variable, label: `${url.protocol}//${url.host}` };
}

/** Host names compare in lower case, without a trailing dot or IPv6 brackets. */
function canonicalHost(host: string): string {
  let h = host.toLowerCase();
  if (h.startsWith("[") && h.endsWith("]")) h = h.slice(1, -1);
  return h.endsWith(".") ? h.slice(0, -1) : h;
}

function isPort(text: string): boolean {
  if (text.length === 0 || text.length > 5) return false;
  for (const c of text) if (c < "0" || c > "9") return false;
  return Number(text) <= 65_535;
}

/**
 * Parses NO_PROXY: entries separated by commas or white space; `*` alone bypasses every
 * host; `example.com`, `.example.com` and `*.example.com` each match example.com and its
 * subdomains; `host:port` and `[v6]:port` only that port. No regular expression runs over
 * the value, so a hostile one costs linear time.
 */
export function parseNoProxy(value: string): { all: boolean; bypasses: Bypass[] } {
  const bypasses: Bypass[] = [];
  for (const token of value.split(/[\s,]/)) {
    let entry = token.toLowerCase();
    if (entry === "") continue;
    if (entry === "*") return { all: true, bypasses: [] };
    let port: number | undefined;
    const colon = entry.lastIndexOf(":");
    const bracket = entry.lastIndexOf("]");
    // One colon is host:port; a bracketed IPv6 address may be followed by one; a bare
    // IPv6 address has several colons and no port.
    if (colon > bracket && (bracket >= 0 || entry.indexOf(":") === colon)) {
      const portText = entry.slice(colon + 1);
      if (!isPort(portText)) continue;
      port = Number(portText);
      entry = entry.slice(0, colon);
    }
    if (entry.startsWith("*")) entry = entry.slice(1);
    if (entry.startsWith(".")) entry = entry.slice(1);
    const host = canonicalHost(entry);
    if (host !== "") bypasses.push({ host, port });
  }
  return { all: false, bypasses };
}

function bypassed(noProxy: { all: boolean; bypasses: Bypass[] }, origin: Origin): boolean {
  if (noProxy.all) return true;
  const host = canonicalHost(origin.host);
  return noProxy.bypasses.some(
    (b) =>
      (b.port === undefined || b.port === origin.port) &&
      (host === b.host || (host.endsWith(b.host) && host[host.length - b.host.length - 1] === ".")),
  );
}

/**
 * The proxies of `env`: `HTTPS_PROXY` for https endpoints, `HTTP_PROXY` for http ones
 * (lower-case forms first), except for hosts `NO_PROXY` lists. Throws when a proxy variable
 * is not an http:// or https:// URL.
 */
export function proxyRoutes(env: Env): ProxyRoutes {
  const http = proxyFrom(env, "HTTP_PROXY");
  const https = proxyFrom(env, "HTTPS_PROXY");
  const noProxy = parseNoProxy(read(env, "NO_PROXY")?.value ?? "");
  return {
    http,
    https,
    proxyFor(origin) {
      const proxy = origin.tls ? https : http;
      return proxy === undefined || bypassed(noProxy, origin) ? undefined : proxy;
    },
  };
}
