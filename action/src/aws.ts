import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import { SSMClient } from "@aws-sdk/client-ssm";
import type { Migration } from "../../worker/src/config/index.js";
import { type CredentialsRef, type EndpointSpec, partitionOf } from "../../worker/src/s3/index.js";
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
    get sqs() {
      sqs ??= new SQSClient(config);
      return sqs;
    },
    get dynamo() {
      dynamo ??= new DynamoDBClient(config);
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

/**
 * Applies the workflow's per-partition settings to a migration: a side in a `cn-*` region
 * takes the `china-*` inputs, any other side the `global-*` ones. A setting left empty keeps
 * what the migration file says.
 */
export function withSideInputs(m: Migration, inputs: ActionInputs): Migration {
  const pick = (region: string) => (partitionOf(region) === "aws-cn" ? inputs.china : inputs.global);
  const apply = <S extends Migration["source"]>(s: S): S => ({ ...s, ...overridden(s, pick(s.region)) });
  return { ...m, source: apply(m.source), destination: apply(m.destination) };
}
