import type { EndpointSpec } from "./endpoint.js";

/**
 * A human-readable name for an endpoint, for error messages and logs: the custom endpoint
 * URL (without any userinfo) or "AWS S3", and the region. Never includes credentials.
 */
export function describeEndpoint(spec: Pick<EndpointSpec, "region" | "endpoint">): string {
  if (spec.endpoint === undefined) return `AWS S3 ${spec.region}`;
  let where = spec.endpoint;
  try {
    const url = new URL(spec.endpoint);
    url.username = "";
    url.password = "";
    where = url.origin + (url.pathname === "/" ? "" : url.pathname);
  } catch {
    // not a URL: keep only what cannot carry a secret
    where = spec.endpoint.replace(/\/\/[^@/]*@/, "//");
  }
  return `${where} (${spec.region})`;
}
