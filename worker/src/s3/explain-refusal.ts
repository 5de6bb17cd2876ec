import type {
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider,
  InitializeMiddleware,
} from "@smithy/types";
import type { CredentialsRef } from "../endpoint/index.js";
import { CredentialsError, classifyS3Error, s3ErrorCode } from "./errors.js";

/** Who a client speaks for in messages: its side of the copy and its endpoint. */
export interface ClientRole {
  /** "source" or "destination"; absent for a client that serves neither (tests, tools). */
  side?: string;
  /** The endpoint as {@link describeEndpoint} names it. */
  endpoint: string;
  credentials: CredentialsRef;
}

/** The credentials a reference names, as an operator would look for them. */
export function describeCredentials(ref: CredentialsRef): string {
  if (ref === "default")
    return "the default credential chain (AWS_ACCESS_KEY_ID/AWS_PROFILE, ~/.aws, instance role)";
  if ("profile" in ref) return `profile '${ref.profile}'`;
  return `SSM parameter '${ref.ssmParameter}'`;
}

const who = (r: ClientRole) => `${r.side === undefined ? "" : `${r.side} `}${r.endpoint}`;

/** What to do about credentials that could not be found, by kind of reference. */
function remedy(r: ClientRole): string {
  const ref = r.credentials;
  const flag = r.side === "destination" ? "dest" : (r.side ?? "source");
  if (ref === "default")
    return `set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or AWS_PROFILE, or name a profile (--${flag}-profile, credentials: { profile: name })`;
  if ("profile" in ref)
    return `add [${ref.profile}] to the shared credentials file (AWS_SHARED_CREDENTIALS_FILE, default ~/.aws/credentials) or [profile ${ref.profile}] to the config file (AWS_CONFIG_FILE, default ~/.aws/config), or name another profile`;
  return "check the parameter's value";
}

/**
 * Wraps a credentials provider so that "no credentials" says so, naming the side, its
 * endpoint, the profile or chain it looked in, and what to do, instead of surfacing later
 * as a refused request.
 */
export function explainedCredentials(
  provider: AwsCredentialIdentityProvider,
  role: ClientRole,
): AwsCredentialIdentityProvider {
  return async (options) => {
    try {
      return (await provider(options)) as AwsCredentialIdentity;
    } catch (err) {
      const sdk = (err instanceof Error ? err.message : String(err)).split("\n")[0] ?? "";
      const ref = role.credentials;
      const unknownProfile =
        ref !== "default" && "profile" in ref && /could not resolve credentials using profile/i.test(sdk);
      const what = unknownProfile
        ? `unknown profile '${(ref as { profile: string }).profile}': it is in neither shared AWS file`
        : `no credentials found in ${describeCredentials(ref)} (${sdk})`;
      throw new CredentialsError(
        unknownProfile ? "UnknownProfile" : "NoCredentials",
        `${who(role)}: ${what}; ${remedy(role)}`,
        { cause: err, context: { endpoint: role.endpoint, ...(role.side ? { side: role.side } : {}) } },
      );
    }
  };
}

/**
 * Outside the retries: a refused request (wrong keys, missing permission) keeps its SDK
 * error (its name, code and status still classify it) but its message names the side,
 * the endpoint, the bucket, the credentials used and what to check, not only the SDK's
 * sentence ("The AWS Access Key Id you provided does not exist in our records.").
 */
export function explainRefusalMiddleware<I extends object, O extends object>(
  role: ClientRole,
): InitializeMiddleware<I, O> {
  return (next, context) => async (args) => {
    try {
      return await next(args);
    } catch (err) {
      if (err instanceof CredentialsError || !(err instanceof Error) || classifyS3Error(err) !== "access")
        throw err;
      const bucket = (args.input as { Bucket?: unknown }).Bucket;
      const op = (context.commandName ?? "request").replace(/Command$/, "");
      const onBucket = typeof bucket === "string" ? ` on bucket '${bucket}'` : "";
      err.message =
        `${who(role)} refused ${op}${onBucket}: ${s3ErrorCode(err)}: ${err.message}; ` +
        `check the ${role.side ?? "endpoint's"} credentials (${describeCredentials(role.credentials)}) and their permissions`;
      throw err;
    }
  };
}
