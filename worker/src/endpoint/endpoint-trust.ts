import { LongbowError } from "../errors.js";
import { awsEndpoints, normalizeEndpoint } from "./endpoint.js";

/**
 * A custom endpoint is not trusted with credentials: neither on the repository's endpoint
 * allowlist nor one of AWS's own S3 endpoints for the side's region. Raised before any
 * request is signed, so no credential ever reaches it.
 */
export class EndpointNotAllowedError extends LongbowError {
  constructor(message: string, context: { migration?: string; endpoint: string }) {
    super("EndpointNotAllowed", message, { context });
    this.name = "EndpointNotAllowedError";
  }
}

/**
 * Parses allowlist entries (URLs) into their {@link normalizeEndpoint} form. Throws naming the
 * first entry that is not an http(s) URL without userinfo, query or fragment.
 */
export function parseEndpointAllowlist(entries: readonly string[]): string[] {
  return entries.map((entry) => {
    const normal = normalizeEndpoint(entry);
    if (normal === undefined) {
      throw new LongbowError(
        "InvalidEndpointAllowlist",
        `endpoint allowlist entry '${entry}' must be an http(s) URL without user, query or fragment`,
      );
    }
    return normal;
  });
}

/**
 * True when credentials may be sent to `endpoint` for a side in `region`: it is one of AWS's
 * own S3 endpoints for that region, or equal (after normalizing both) to an allowlist entry
 * (already parsed by {@link parseEndpointAllowlist}).
 */
export function isTrustedEndpoint(endpoint: string, region: string, allowlist: readonly string[]): boolean {
  const normal = normalizeEndpoint(endpoint);
  if (normal === undefined) return false;
  return awsEndpoints(region).includes(normal) || allowlist.includes(normal);
}
