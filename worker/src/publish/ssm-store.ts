import { GetParametersByPathCommand, type SSMClient } from "@aws-sdk/client-ssm";
import { PublishOptionsError } from "./errors.js";

/** Where migrations are published when no path is given. */
export const defaultMigrationsPath = "/longbow/migrations";

/** Checks an SSM path and returns it without a trailing slash; the message names the option. */
export function validatePath(path: string): string {
  const p = path.replace(/\/+$/, "");
  if (!/^(\/[A-Za-z0-9_.-]+)+$/.test(p)) {
    throw new PublishOptionsError(
      `path must look like /longbow/migrations (segments of letters, digits, '_', '.', '-'), got '${path}'`,
    );
  }
  return p;
}

/** Every parameter directly under `path` (not recursive), name → value, following pagination. */
export async function readParameters(
  ssm: SSMClient,
  path: string,
  signal?: AbortSignal,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let NextToken: string | undefined;
  do {
    const page = await ssm.send(
      new GetParametersByPathCommand({ Path: path, Recursive: false, WithDecryption: true, NextToken }),
      { abortSignal: signal },
    );
    for (const p of page.Parameters ?? []) {
      if (p.Name !== undefined && p.Value !== undefined) out.set(p.Name, p.Value);
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return out;
}
