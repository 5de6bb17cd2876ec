import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { SSMClient } from "@aws-sdk/client-ssm";
import { migrationClients } from "../../worker/src/backends/index.js";
import type { Migration } from "../../worker/src/config/index.js";
import {
  type CredentialsRef,
  describeEndpoint,
  EndpointNotAllowedError,
  type EndpointSpec,
  isTrustedEndpoint,
  partitionOf,
} from "../../worker/src/s3/index.js";
import { resolveSettings } from "../../worker/src/settings/index.js";
import type { ActionInputs, SideInputs } from "./inputs.js";

/**
 * Clients for the control plane (SSM parameters, job queue, ledger table) on the credentials
 * the workflow put in the environment. Endpoints follow the SDK's own `AWS_ENDPOINT_URL_<SERVICE>`
 * variables, which is how tests point them at the emulator.
 */
export interface ControlPlane {
  ssm: SSMClient;
  sqs: SQSClient;
  dynamo: DynamoDBClient;
}

/** Builds the control-plane clients lazily: validate never needs them. */
export function controlPlane(inputs: ActionInputs): ControlPlane {
  const config = inputs.awsRegion === undefined ? {} : { region: inputs.awsRegion };
  let ssm: SSMClient | undefined;
  let sqs: SQSClient | undefined;
  let dynamo: DynamoDBClient | undefined;
  return {
    get ssm() {
      ssm ??= new SSMClient(config);
      return ssm;
    },
    // adaptive: once a request is throttled, the client slows all of its requests (the SDK's
    // rate limiter), so send's window of requests backs off as one
    get sqs() {
      sqs ??= new SQSClient({ ...config, retryMode: "adaptive" });
      return sqs;
    },
    get dynamo() {
      dynamo ??= new DynamoDBClient({ ...config, retryMode: "adaptive" });
      return dynamo;
    },
  };
}

function overridden(spec: EndpointSpec, side: SideInputs): EndpointSpec {
  let credentials: CredentialsRef = spec.credentials;
  if (side.profile !== undefined) credentials = { profile: side.profile };
  if (side.credentialsParameter !== undefined) credentials = { ssmParameter: side.credentialsParameter };
  const out: EndpointSpec = { ...spec, credentials };
  if (side.endpoint !== undefined) out.endpoint = side.endpoint;
  return out;
}

function sideInputsFor(region: string, inputs: ActionInputs): SideInputs {
  return partitionOf(region) === "aws-cn" ? inputs.china : inputs.global;
}

/**
 * Refuses a migration whose file names a custom endpoint that is not trusted with
 * credentials: not on the endpoint allowlist (input `endpoint-allowlist`) and not one of AWS's
 * own S3 endpoints for the side's region. An endpoint given as an Action input replaces the
 * file's and is trusted: it comes from the workflow, as the allowlist itself does. Call it on
 * the migration as the file has it, before {@link withSideInputs}.
 */
export function checkEndpoints(m: Migration, inputs: ActionInputs): void {
  for (const name of ["source", "destination"] as const) {
    const side = m[name];
    if (side.endpoint === undefined || sideInputsFor(side.region, inputs).endpoint !== undefined) continue;
    if (isTrustedEndpoint(side.endpoint, side.region, inputs.endpointAllowlist)) continue;
    const where = describeEndpoint({ endpoint: side.endpoint, region: side.region });
    throw new EndpointNotAllowedError(
      `migration ${m.name}: ${name}.endpoint ${where} is not on the endpoint allowlist (input endpoint-allowlist, the repository's LONGBOW_ENDPOINT_ALLOWLIST variable) and is not an AWS S3 endpoint of ${side.region}; no credentials are sent to it, so nothing was read`,
      { migration: m.name, endpoint: where },
    );
  }
}

/**
 * Applies the workflow's per-partition settings to a migration: a side in a `cn-*` region
 * takes the `china-*` inputs, any other side the `global-*` ones. A setting left empty keeps
 * what the migration file says.
 */
export function withSideInputs(m: Migration, inputs: ActionInputs): Migration {
  const pick = (region: string) => sideInputsFor(region, inputs);
  const apply = <S extends Migration["source"]>(s: S): S => ({ ...s, ...overridden(s, pick(s.region)) });
  return { ...m, source: apply(m.source), destination: apply(m.destination) };
}

/**
 * S3 clients for both sides of a migration, the one place the Action puts credentials into
 * S3 clients: refuses untrusted endpoints first ({@link checkEndpoints}), then applies the
 * workflow's side inputs ({@link withSideInputs}). Returns the migration as applied.
 */
export async function sideClients(
  file: Migration,
  inputs: ActionInputs,
): Promise<{ migration: Migration; source: S3Client; destination: S3Client }> {
  checkEndpoints(file, inputs);
  const m = withSideInputs(file, inputs);
  // Credentials parameters are read in the control plane's region unless they name their own.
  const ssmClientFactory = (region: string | undefined) =>
    new SSMClient({ region: region ?? inputs.awsRegion ?? m.source.region });
  const { source, destination } = await migrationClients(resolveSettings(process.env), { ssmClientFactory })(
    m,
  );
  return { migration: m, source, destination };
}
