/**
 * How to reach one side of a migration. Shared by the migration model (YAML), the CLI
 * options of `longbow cp` and the S3 client factory.
 */
export type CredentialsRef =
  /** The process's own default chain (environment, instance role, SSO, ...). */
  | "default"
  /** A named profile from the shared AWS config/credentials files. */
  | { profile: string }
  /**
   * An SSM SecureString parameter holding the original's JSON:
   * `{"aws_access_key_id": "...", "aws_secret_access_key": "...", "region": "..."}`.
   * It is read with the default chain, in `region` when given, else the reader's region.
   */
  | { ssmParameter: string; region?: string };

export interface EndpointSpec {
  /** e.g. `us-east-1`, `cn-northwest-1`. */
  region: string;
  /** Custom endpoint URL for S3-compatible stores and the emulator. */
  endpoint?: string;
  credentials: CredentialsRef;
  /** Path-style addressing; forced on whenever `endpoint` is set. */
  forcePathStyle?: boolean;
}

/** `aws-cn` for China regions, `aws` otherwise (GovCloud is out of scope). */
export function partitionOf(region: string): "aws" | "aws-cn" {
  return region.startsWith("cn-") ? "aws-cn" : "aws";
}

/**
 * The canonical form of an S3 endpoint URL, for comparing two spellings of one endpoint:
 * scheme and host in lower case, the scheme's default port dropped, trailing slashes of the
 * path removed (`HTTPS://S3.Example.com:443/` → `https://s3.example.com`). `undefined` for
 * text that is not an http(s) URL or that carries userinfo, a query or a fragment: such an
 * endpoint equals nothing, so it can never match an allowlist entry.
 */
export function normalizeEndpoint(endpoint: string): string | undefined {
  let url: URL;
  try {
    url = new URL(endpoint.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return undefined;
  if (url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "") return undefined;
  if (endpoint.includes("?") || endpoint.includes("#")) return undefined;
  // WHATWG URL already lower-cases scheme and host and drops a default port.
  const path = url.pathname.replace(/\/+$/, "");
  return `${url.protocol}//${url.host}${path}`;
}

/**
 * AWS's own S3 endpoints for `region`, in {@link normalizeEndpoint} form: the regional one,
 * dual-stack, FIPS (global partition) and, for us-east-1, the legacy global name. These need
 * no allowlisting: credentials sent there go to AWS, in the region the migration names.
 */
export function awsEndpoints(region: string): string[] {
  const suffix = partitionOf(region) === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
  const hosts = [`s3.${region}.${suffix}`, `s3.dualstack.${region}.${suffix}`];
  if (suffix === "amazonaws.com") {
    hosts.push(`s3-fips.${region}.${suffix}`, `s3-fips.dualstack.${region}.${suffix}`);
    if (region === "us-east-1") hosts.push("s3.amazonaws.com");
  }
  return hosts.map((h) => `https://${h}`);
}
