export { QueueError } from "./errors.js";
export type { Queue, QueueDepth, QueueMessage, ReceiveOptions } from "./queue.js";
export { SqliteQueue, type SqliteQueueOptions } from "./sqlite-queue.js";
export { SqsQueue, type SqsQueueOptions } from "./sqs-queue.js";
