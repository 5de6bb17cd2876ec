import type { Job } from "../job/index.js";
import type { Schedule } from "../schedule.js";

/** One message as a worker holds it between receive and delete/release. */
export interface QueueMessage {
  /** The queue's message id (stable across redeliveries). */
  readonly id: string;
  /** Handle of this delivery; needed to delete, extend or release it. */
  readonly receipt: string;
  /** Raw body: a {@link Job} as JSON, or an S3 event notification. */
  readonly body: string;
  /**
   * Deliveries the queue counts toward its receive limit, this one included. Deliveries
   * handed back with {@link Queue.putBack} are not among them.
   */
  readonly receiveCount: number;
  /** Earlier deliveries of this job that were interrupted and handed back uncounted. */
  readonly handedBack: number;
}

/** Messages waiting, being worked on, and given up on. */
export interface QueueDepth {
  visible: number;
  inFlight: number;
  /** Messages in the dead-letter queue (SQS) or dead state (SQLite). */
  dead: number;
}

export interface ReceiveOptions {
  /** At most this many messages (1-10, SQS's limit). @defaultValue 10 */
  max?: number;
  /** Long polling: wait up to this long for a first message. @defaultValue 20 */
  waitSeconds?: number;
  /** Hide received messages this long; `undefined` uses the queue's default. */
  visibilitySeconds?: number;
  signal?: AbortSignal;
}

/**
 * A job queue with SQS semantics: at-least-once delivery, a visibility timeout that hides a
 * received message until it is deleted or the timeout ends, a receive count, and a dead
 * letter after too many receives. SQS and SQLite implement it; one contract suite tests both.
 */
export interface Queue {
  /**
   * Enqueues jobs, one message each, in batches; throws if any could not be sent. Each
   * request goes through `schedule` (a window shared with other calls). @defaultValue at once
   */
  send(jobs: readonly Job[], signal?: AbortSignal, schedule?: Schedule): Promise<void>;
  receive(options?: ReceiveOptions): Promise<QueueMessage[]>;
  /** The job is finished: remove the message for good. */
  delete(message: QueueMessage, signal?: AbortSignal): Promise<void>;
  /** Heartbeat: keep the message hidden for `seconds` from now. */
  extend(message: QueueMessage, seconds: number, signal?: AbortSignal): Promise<void>;
  /** Make the message visible again after `delaySeconds` (0: now) for another worker. */
  release(message: QueueMessage, delaySeconds?: number, signal?: AbortSignal): Promise<void>;
  /**
   * Hand an interrupted delivery back (shutdown, drain, a job timeout with progress, a
   * Lambda deadline): visible again at once, and not counted against the message's receive
   * limit, so any number of interruptions never dead-letters a job. An interruption is not
   * a failure.
   */
  putBack(message: QueueMessage, signal?: AbortSignal): Promise<void>;
  /**
   * Deliveries after which the queue itself dead-letters a message (SQS's redrive
   * maxReceiveCount), or undefined when it never does. A worker records a job failed in the
   * ledger before working on its last such delivery, so a job the queue moves away is never
   * silently lost.
   */
  receiveLimit(signal?: AbortSignal): Promise<number | undefined>;
  /** Give up on the message now: move it to the dead letters, keeping `reason`. */
  deadLetter(message: QueueMessage, reason: string, signal?: AbortSignal): Promise<void>;
  depth(signal?: AbortSignal): Promise<QueueDepth>;
  /** Releases local resources (database handle); the queue's content stays. */
  close(): Promise<void>;
}
