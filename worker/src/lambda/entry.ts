// Entry of the bundle `npm run build` writes to dist/lambda.mjs, the Lambda worker's code
// (handler `lambda.handler`). Everything is built on the first invocation and kept for the
// life of the container: clients, connection pools, the published migrations.

import { sqsHandlerOptionsFromEnv } from "./environment.js";
import { createSqsHandler, type SqsHandler } from "./handler.js";

let built: Promise<SqsHandler> | undefined;

/** The Lambda handler: SQS batch in, partial batch response out. */
export const handler: SqsHandler = async (event, context) => {
  built ??= sqsHandlerOptionsFromEnv(process.env).then(createSqsHandler);
  // a failed start (e.g. SSM unreachable) is retried by the next invocation, not cached
  built.catch(() => {
    built = undefined;
  });
  return (await built)(event, context);
};
