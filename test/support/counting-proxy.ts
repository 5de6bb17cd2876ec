import { createServer } from "node:http";
import { forward, listenOnLoopback } from "./loopback-http.js";

/** Requests seen per operation, e.g. `{ "AmazonSQS.ReceiveMessage": 12 }`. */
export type OperationCounts = Record<string, number>;

/**
 * A loopback HTTP proxy in front of an AWS JSON-protocol endpoint (SQS, DynamoDB) that
 * counts requests by their `X-Amz-Target` operation, across every process that uses it.
 */
export async function startCountingProxy(
  target: string,
): Promise<{ endpoint: string; counts: OperationCounts; close: () => Promise<void> }> {
  const to = new URL(target);
  const counts: OperationCounts = {};
  const server = createServer((req, res) => {
    const op = String(req.headers["x-amz-target"] ?? `${req.method} ${req.url?.split("?")[0]}`);
    counts[op] = (counts[op] ?? 0) + 1;
    forward(req, res, to, undefined);
  });
  return {
    endpoint: await listenOnLoopback(server),
    counts,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Sums the counts of operations whose name ends with one of `names`. */
export const countOf = (counts: OperationCounts, names: readonly string[]): number =>
  Object.entries(counts).reduce((n, [op, c]) => n + (names.some((x) => op.endsWith(`.${x}`)) ? c : 0), 0);
