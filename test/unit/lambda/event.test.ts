import { describe, expect, it, vi } from "vitest";
import { deadlineSignal, messageOf } from "../../../worker/src/lambda/index.js";

describe("an SQS event record as a queue message", () => {
  it("keeps the message id, receipt handle, body, receive count and earlier handed-back deliveries", () => {
    expect(
      messageOf({
        messageId: "id-1",
        receiptHandle: "handle",
        body: "{}",
        attributes: { ApproximateReceiveCount: "4" },
        messageAttributes: { LongbowHandedBack: { stringValue: "2", dataType: "Number" } },
      }),
    ).toEqual({ id: "id-1", receipt: "handle", body: "{}", receiveCount: 4, handedBack: 2 });
  });

  it("counts a first delivery when the receive count is missing", () => {
    expect(messageOf({ messageId: "i", receiptHandle: "h", body: "", attributes: {} }).receiveCount).toBe(1);
  });
});

describe("the invocation deadline", () => {
  it("aborts at the deadline, not before", () => {
    vi.useFakeTimers();
    try {
      const d = deadlineSignal(5_000);
      vi.advanceTimersByTime(4_999);
      expect(d.signal.aborted).toBe(false);
      vi.advanceTimersByTime(1);
      expect(d.signal.aborted).toBe(true);
      expect((d.signal.reason as Error).name).toBe("AbortError");
    } finally {
      vi.useRealTimers();
    }
  });

  it("is already aborted when no time is left", () => {
    expect(deadlineSignal(0).signal.aborted).toBe(true);
    expect(deadlineSignal(-10).signal.aborted).toBe(true);
  });
});
