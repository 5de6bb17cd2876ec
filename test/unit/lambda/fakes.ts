import type { S3Client } from "@aws-sdk/client-s3";
import { type Migration, normalizeMigration } from "../../../worker/src/config/index.js";
import type { Job } from "../../../worker/src/job/index.js";
import type { LambdaContext, SqsRecord } from "../../../worker/src/lambda/index.js";
import type { Queue, QueueMessage } from "../../../worker/src/queue/index.js";

/** A queue that only records how the handler settled each message. */
export function recordingQueue(): Queue & { calls: string[] } {
  const calls: string[] = [];
  const note = (what: string) => async (m: QueueMessage, arg?: unknown) => {
    calls.push(`${what} ${m.id}${arg === undefined ? "" : ` ${String(arg)}`}`);
  };
  return {
    calls,
    send: async () => {},
    receive: async () => [],
    delete: note("delete"),
    extend: note("extend"),
    release: note("release"),
    putBack: note("putBack"),
    receiveLimit: async () => undefined,
    deadLetter: note("deadLetter"),
    depth: async () => ({ visible: 0, inFlight: 0, dead: 0 }),
    close: async () => {},
  };
}

/**
 * An S3 client whose HEAD and GET answer 404 (the source is gone) after `delayMs`, or never
 * when `hang` is set, until the request's abort signal fires. Counts requests in flight at once.
 */
export function vanishedObjectS3(o: { delayMs?: number; hang?: boolean } = {}): S3Client & {
  maxInFlight: number;
} {
  let inFlight = 0;
  const client = {
    maxInFlight: 0,
    send: (cmd: object, opts?: { abortSignal?: AbortSignal }) =>
      new Promise((_resolve, reject) => {
        if (cmd.constructor.name !== "HeadObjectCommand" && cmd.constructor.name !== "GetObjectCommand") {
          reject(new Error(`unexpected ${cmd.constructor.name}`));
          return;
        }
        inFlight++;
        client.maxInFlight = Math.max(client.maxInFlight, inFlight);
        const done = (err: Error) => {
          inFlight--;
          reject(err);
        };
        const notFound = Object.assign(new Error("Not Found"), {
          name: "NotFound",
          $metadata: { httpStatusCode: 404 },
        });
        const timer = o.hang ? undefined : setTimeout(() => done(notFound), o.delayMs ?? 0);
        opts?.abortSignal?.addEventListener("abort", () => {
          clearTimeout(timer);
          done(Object.assign(new Error("Request aborted"), { name: "AbortError" }));
        });
      }),
  };
  return client as unknown as S3Client & { maxInFlight: number };
}

export const migration: Migration = normalizeMigration({
  name: "photos",
  source: { bucket: "src", prefix: "in/", region: "us-east-1" },
  destination: { bucket: "dst", prefix: "out/", region: "cn-north-1" },
});

export const job = (key: string, over: Partial<Job> = {}): Job => ({
  migration: "photos",
  source: { bucket: "src", key: `in/${key}`, size: 10 },
  destination: { bucket: "dst", key: `out/${key}` },
  ...over,
});

let next = 0;
/** An SQS event record as Lambda delivers it. */
export function record(body: unknown, receiveCount = 1): SqsRecord {
  next++;
  return {
    messageId: `m${next}`,
    receiptHandle: `r${next}`,
    body: typeof body === "string" ? body : JSON.stringify(body),
    attributes: { ApproximateReceiveCount: String(receiveCount) },
  };
}

/** A Lambda context with a fixed amount of time left at the start. */
export const contextWith = (remainingMs: number): LambdaContext => {
  const end = Date.now() + remainingMs;
  return { getRemainingTimeInMillis: () => end - Date.now() };
};
