import type { HttpHandlerOptions } from "@smithy/types";

/**
 * Asks an S3 client built by `createS3Client` to read a GET's successful body straight
 * into caller memory: the kernel writes the bytes where the part buffer wants them, with
 * no per-read chunk, stream or copy in between. That path costs about a third of the CPU
 * of Node's http module and its streams (bench/RESULTS.md, "Read path (issue 17)"). A
 * request that goes through a proxy, or an answer not framed by a Content-Length, is read
 * by the SDK instead: `received` stays unset and the body is the output's Body.
 */
export interface ReadInto {
  /**
   * Called once the answer's headers are in, with its Content-Length. Returns a buffer of
   * exactly that length to read the body into, or `undefined` to leave the body unread
   * (the connection is then closed rather than drained; the SDK output's Body is empty).
   */
  target(length: number): Buffer | undefined;
  /** Set by the client once the whole body is in the target: its length. */
  received?: number;
}

const key = "longbowReadInto";

/** Send options (`client.send(command, options)`) that carry `into`. */
export function readIntoOptions(abortSignal: AbortSignal, into: ReadInto): HttpHandlerOptions {
  return { abortSignal, [key]: into } as HttpHandlerOptions;
}

/** The ReadInto carried by send options, if any. */
export function readIntoOf(options: HttpHandlerOptions | undefined): ReadInto | undefined {
  return (options as Record<string, ReadInto | undefined> | undefined)?.[key];
}
