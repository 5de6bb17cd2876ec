import { DeleteMessageBatchCommand, DeleteMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { describe, expect, it, vi } from "vitest";
import { DeleteBatcher } from "../../../worker/src/queue/delete-batcher.js";

function fakeSqs(failIds: string[] = []) {
  const calls: { op: string; receipts: string[] }[] = [];
  const client = {
    send: async (cmd: unknown) => {
      if (cmd instanceof DeleteMessageBatchCommand) {
        const entries = cmd.input.Entries ?? [];
        calls.push({ op: "batch", receipts: entries.map((e) => e.ReceiptHandle ?? "") });
        return {
          Failed: entries.filter((e) => failIds.includes(e.ReceiptHandle ?? "")).map((e) => ({ Id: e.Id })),
        };
      }
      if (cmd instanceof DeleteMessageCommand) {
        calls.push({ op: "single", receipts: [cmd.input.ReceiptHandle ?? ""] });
        return {};
      }
      throw new Error("unexpected");
    },
  } as unknown as SQSClient;
  return { client, calls };
}

describe("DeleteBatcher", () => {
  it("sends ten deletes as one batch at once, and the rest after the window", async () => {
    vi.useFakeTimers();
    try {
      const { client, calls } = fakeSqs();
      const b = new DeleteBatcher(client, "q", 20);
      const done = Array.from({ length: 13 }, (_, i) => b.delete(`r${i}`));
      await vi.advanceTimersByTimeAsync(0);
      expect(calls).toEqual([{ op: "batch", receipts: Array.from({ length: 10 }, (_, i) => `r${i}`) }]);
      await vi.advanceTimersByTimeAsync(20);
      await Promise.all(done);
      expect(calls[1]).toEqual({ op: "batch", receipts: ["r10", "r11", "r12"] });
    } finally {
      vi.useRealTimers();
    }
  });

  it("deletes an entry SQS reported as failed on its own", async () => {
    vi.useFakeTimers();
    try {
      const { client, calls } = fakeSqs(["r1"]);
      const b = new DeleteBatcher(client, "q", 5);
      const done = Promise.all([b.delete("r0"), b.delete("r1")]);
      await vi.advanceTimersByTimeAsync(5);
      await done;
      expect(calls).toEqual([
        { op: "batch", receipts: ["r0", "r1"] },
        { op: "single", receipts: ["r1"] },
      ]);
    } finally {
      vi.useRealTimers();
    }
  });
});
