import { SendMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import type { Job } from "../../../worker/src/job/index.js";
import { QueueError, SqsQueue } from "../../../worker/src/queue/index.js";

const job = (key: string): Job => ({
  migration: "m",
  source: { bucket: "s", key },
  destination: { bucket: "d", key },
});

/** A client whose SendMessageBatch fails the entries `failing` names, once per listed round. */
function fakeSqs(rounds: { failIds: string[]; senderFault?: boolean }[]) {
  const calls: string[][] = [];
  const client = {
    send: async (cmd: unknown, opts?: { abortSignal?: AbortSignal }) => {
      if (!(cmd instanceof SendMessageBatchCommand)) throw new Error("unexpected command");
      expect(opts).toHaveProperty("abortSignal");
      const entries = cmd.input.Entries ?? [];
      calls.push(entries.map((e) => JSON.parse(e.MessageBody ?? "{}").source.key));
      const round = rounds.shift() ?? { failIds: [] };
      const failed = entries.filter((e) =>
        round.failIds.includes(JSON.parse(e.MessageBody ?? "{}").source.key),
      );
      return {
        Successful: [],
        Failed: failed.map((e) => ({
          Id: e.Id,
          Code: "InternalError",
          SenderFault: round.senderFault ?? false,
        })),
      };
    },
  } as unknown as SQSClient;
  return { client, calls };
}

describe("SQS batch send", () => {
  it("sends batches of 10 and resends only the entries SQS reports as failed", async () => {
    const { client, calls } = fakeSqs([{ failIds: ["k3", "k7"] }]);
    const q = new SqsQueue({ client, queueUrl: "http://q" });
    await q.send(
      Array.from({ length: 12 }, (_, i) => job(`k${i}`)),
      new AbortController().signal,
    );
    // both batches go at once; the two failed entries are resent after a backoff
    expect(calls.map((c) => c.length)).toEqual([10, 2, 2]);
    expect(calls[1]).toEqual(["k10", "k11"]);
    expect(calls[2]).toEqual(["k3", "k7"]);
  });

  it("gives up after maxSendAttempts, and at once on a sender fault", async () => {
    const always = fakeSqs([{ failIds: ["a"] }, { failIds: ["a"] }, { failIds: ["a"] }]);
    const q = new SqsQueue({ client: always.client, queueUrl: "http://q", maxSendAttempts: 2 });
    await expect(q.send([job("a")], new AbortController().signal)).rejects.toBeInstanceOf(QueueError);
    expect(always.calls).toHaveLength(2);
    const fault = fakeSqs([{ failIds: ["a"], senderFault: true }]);
    const q2 = new SqsQueue({ client: fault.client, queueUrl: "http://q" });
    await expect(q2.send([job("a")], new AbortController().signal)).rejects.toThrow(/sender fault/);
    expect(fault.calls).toHaveLength(1);
  });
});
