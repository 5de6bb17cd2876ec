import { partitionOf } from "../endpoint/index.js";
import { hostKind } from "./host-address.js";
import { partitionOfHost } from "./partitions.js";

/**
 * Checks and identity of a migration side's custom `endpoint:`. The URL comes from a pull
 * request and is published in a plain-text parameter, and requests signed with real
 * credentials go to it: so no credentials inside it, nothing the server could read as
 * instructions (query, fragment), and never the instance's own metadata service.
 */

function parse(endpoint: string): URL | undefined {
  try {
    return new URL(endpoint);
  } catch {
    return undefined;
  }
}

/** Why `endpoint` may not be used, one sentence each; empty when it is fine. */
export function endpointProblems(endpoint: string): string[] {
  const url = parse(endpoint);
  if (url === undefined) return ["endpoint is not a valid URL"];
  const out: string[] = [];
  // the raw text, not just url.username: `https://@host` parses to an empty user
  if (url.username !== "" || url.password !== "" || /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(endpoint)) {
    out.push(
      "endpoint must not contain a user name or password ('user:password@'): endpoints are published in plain text; name credentials under 'credentials:'",
    );
  }
  if (url.search !== "" || endpoint.includes("?")) out.push("endpoint must not have a query ('?...')");
  if (url.hash !== "" || endpoint.includes("#")) out.push("endpoint must not have a fragment ('#...')");
  const kind = hostKind(url.hostname);
  if (kind === "link-local") {
    out.push(
      "endpoint points at a link-local address (169.254.0.0/16, fe80::/10), where instance metadata and role credentials are served",
    );
  } else if (kind === "metadata") {
    out.push("endpoint points at the EC2 instance metadata service");
  } else if (url.protocol === "http:" && kind !== "loopback") {
    out.push("endpoint may use http:// only on a loopback address (a local emulator); use https://");
  }
  return out;
}

/** The AWS partition of an endpoint on AWS's own domains (`aws`, `aws-cn`, ...), else undefined. */
export function endpointPartition(endpoint: string): string | undefined {
  const url = parse(endpoint);
  return url === undefined ? undefined : partitionOfHost(url.hostname.toLowerCase().replace(/\.$/, ""));
}

const defaultPorts: Record<string, string> = { "http:": "80", "https:": "443" };

/**
 * The S3 store one side reaches, as a string equal for equal stores: AWS S3 of the region's
 * partition (bucket names are unique within a partition, so the region string does not
 * matter, nor does naming AWS's endpoint explicitly), or one custom server (host in lower
 * case, the port even when it is the default one, the path without trailing slashes;
 * every loopback name counts as one host).
 */
export function storeOf(side: { region: string; endpoint?: string | undefined }): string {
  if (side.endpoint === undefined) return `aws:${partitionOf(side.region)}`;
  const url = parse(side.endpoint);
  if (url === undefined) return `url:${side.endpoint}`;
  const host = url.hostname.toLowerCase().replace(/\.$/, "");
  const partition = partitionOfHost(host);
  if (partition !== undefined) return `aws:${partition}`;
  const name = hostKind(host) === "loopback" ? "loopback" : host;
  const port = url.port === "" ? (defaultPorts[url.protocol] ?? "") : url.port;
  return `${name}:${port}${url.pathname.replace(/\/+$/, "")}`;
}
