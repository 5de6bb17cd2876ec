import { PutParameterCommand, type SSMClient } from "@aws-sdk/client-ssm";
import type { EmulatorSide } from "../emulator/emulator.js";

/**
 * Stores `side`'s access key as a SecureString parameter in the form a migration's
 * `credentials: { ssmParameter }` reads (`more` adds fields such as `region`); returns `name`.
 */
export async function putKeyParameter(
  ssm: SSMClient,
  name: string,
  side: EmulatorSide,
  more: Record<string, string> = {},
): Promise<string> {
  const Value = JSON.stringify({
    aws_access_key_id: side.accessKeyId,
    aws_secret_access_key: side.secretAccessKey,
    ...more,
  });
  await ssm.send(new PutParameterCommand({ Name: name, Type: "SecureString", Value }));
  return name;
}
