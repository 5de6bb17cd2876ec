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
