export { type Deadline, deadlineSignal } from "./deadline.js";
export { handler } from "./entry.js";
export { sqsHandlerOptionsFromEnv } from "./environment.js";
export {
  type LambdaContext,
  messageOf,
  type SqsBatchResponse,
  type SqsEvent,
  type SqsRecord,
} from "./event.js";
export { createSqsHandler, type SqsHandler, type SqsHandlerOptions } from "./handler.js";
