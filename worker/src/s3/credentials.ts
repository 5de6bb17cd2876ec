import type { S3ClientConfig } from "@aws-sdk/client-s3";
import type { SSMClient } from "@aws-sdk/client-ssm";
import type { CredentialsRef } from "../endpoint/index.js";
import { CredentialsError, classifyS3Error, s3ErrorCode } from "./errors.js";

/** Builds the SSM client that reads a credentials parameter; `region` undefined = the SDK's own default. */
export type SsmClientFactory = (region: string | undefined) => SSMClient | Promise<SSMClient>;

/**
 * The default: an SSM client on the process's default credential chain. The SSM SDK is
 * loaded only here, so a worker whose credentials come from elsewhere never pays its
 * start-up cost.
 */
export const defaultSsmClientFactory: SsmClientFactory = async (region) => {
  const { SSMClient } = await import("@aws-sdk/client-ssm");
  return new SSMClient(region === undefined ? {} : { region });
};

/** Access key read from an SSM parameter in the original's JSON format. */
export interface SsmCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** The `region` field of the parameter, if present. */
  region?: string;
}

export interface CredentialsFromSsmOptions {
  /** Client used for GetParameter. @defaultValue {@link defaultSsmClientFactory}(region) */
  ssm?: SSMClient;
  /** Region of the parameter when no `ssm` client is given. @defaultValue the SDK's default region */
  region?: string;
  signal?: AbortSignal;
}

/**
 * Reads an SSM SecureString parameter holding
 * `{"aws_access_key_id", "aws_secret_access_key", "region"}` (the original Longbow's format)
 * with decryption. Errors name the parameter, never its value: the JSON parser's own message
 * quotes the input, so it is neither repeated nor attached as the cause.
 */
export async function credentialsFromSsm(
  parameter: string,
  options: CredentialsFromSsmOptions = {},
): Promise<SsmCredentials> {
  const ssm = options.ssm ?? (await defaultSsmClientFactory(options.region));
  const { GetParameterCommand } = await import("@aws-sdk/client-ssm");
  let value: string | undefined;
  try {
    const out = await ssm.send(new GetParameterCommand({ Name: parameter, WithDecryption: true }), {
      abortSignal: options.signal,
    });
    value = out.Parameter?.Value;
  } catch (err) {
    const code = s3ErrorCode(err);
    const why =
      code === "ParameterNotFound"
        ? "does not exist"
        : classifyS3Error(err) === "access"
          ? "cannot be read with this process's credentials"
          : `could not be read (${code})`;
    throw new CredentialsError("CredentialsParameterUnreadable", `SSM parameter '${parameter}' ${why}`, {
      cause: err,
      context: { parameter },
    });
  }
  const invalid = (detail: string) =>
    new CredentialsError(
      "CredentialsParameterInvalid",
      `SSM parameter '${parameter}' ${detail}; expected JSON {"aws_access_key_id", "aws_secret_access_key", "region"}`,
      { context: { parameter } },
    );
  if (value === undefined) throw invalid("has no value");
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw invalid("is not valid JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw invalid("is not a JSON object");
  const fields = parsed as Record<string, unknown>;
  const missing = ["aws_access_key_id", "aws_secret_access_key"].filter(
    (f) => typeof fields[f] !== "string" || fields[f] === "",
  );
  if (missing.length > 0) throw invalid(`lacks ${missing.join(" and ")}`);
  const region = typeof fields.region === "string" && fields.region !== "" ? fields.region : undefined;
  return {
    accessKeyId: fields.aws_access_key_id as string,
    secretAccessKey: fields.aws_secret_access_key as string,
    ...(region === undefined ? {} : { region }),
  };
}

export interface ResolveCredentialsOptions {
  /** @defaultValue {@link defaultSsmClientFactory} */
  ssmClientFactory?: SsmClientFactory;
  signal?: AbortSignal;
}

/**
 * Turns a {@link CredentialsRef} into what an SDK client's `credentials` field takes:
 * `undefined` for the default chain, a provider for a profile, fixed credentials read once
 * from SSM for a parameter.
 */
export async function resolveCredentials(
  ref: CredentialsRef,
  options: ResolveCredentialsOptions = {},
): Promise<S3ClientConfig["credentials"]> {
  if (ref === "default") return undefined;
  if ("profile" in ref) {
    const { fromIni } = await import("@aws-sdk/credential-providers");
    return fromIni({ profile: ref.profile });
  }
  const factory = options.ssmClientFactory ?? defaultSsmClientFactory;
  const { accessKeyId, secretAccessKey } = await credentialsFromSsm(ref.ssmParameter, {
    ssm: await factory(ref.region),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  return { accessKeyId, secretAccessKey };
}
