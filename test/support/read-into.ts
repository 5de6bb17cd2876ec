import type { ReadInto } from "../../worker/src/s3/index.js";

export type BufferSink = ReadInto & {
  /** Every length the read path asked a target for, in order. */
  asked: number[];
  /** The last target handed out. */
  buffer: Buffer | undefined;
  /** Resolves once a target was first asked for: the answer's head is read. */
  firstAsk: Promise<void>;
};

/** A ReadInto that accepts any length into a fresh buffer and records what it was asked for. */
export function bufferSink(): BufferSink {
  let asked = () => {};
  const s: BufferSink = {
    asked: [],
    buffer: undefined,
    firstAsk: new Promise((r) => {
      asked = r;
    }),
    target(length) {
      s.asked.push(length);
      asked();
      s.buffer = Buffer.alloc(length);
      return s.buffer;
    },
  };
  return s;
}
