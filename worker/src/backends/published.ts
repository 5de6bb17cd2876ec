import { SSMClient } from "@aws-sdk/client-ssm";
import type { Migration } from "../config/index.js";
import { loadPublishedMigrations } from "../publish/index.js";

/** The migrations published in SSM under `path`, read on each call (the runner caches them). */
export function publishedMigrations(
  path: string,
  ssm: SSMClient = new SSMClient({}),
): () => Promise<readonly Migration[]> {
  return () => loadPublishedMigrations(ssm, path);
}
