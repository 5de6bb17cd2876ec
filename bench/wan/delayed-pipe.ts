import type { Readable, Writable } from "node:stream";

/** How one direction of a proxied connection behaves. */
export interface DelayedPipeOptions {
  /** Every chunk reaches the other side this long after it was read. */
  delayMs: number;
  /** Bytes read but not yet handed to the other side; reading pauses above this. */
  windowBytes: number;
  /** Nothing is delivered before this time (epoch ms): the connection's handshake. */
  openAt: number;
  /** Called with each chunk's size as it is read, before the delay. */
  onBytes?: (n: number) => void;
}

interface Pending {
  chunk: Buffer | null;
  due: number;
}

/**
 * Forwards `from` to `to` like one direction of a long TCP path: each chunk arrives
 * `delayMs` late, and at most `windowBytes` are on the way at once, so one connection
 * moves about windowBytes ÷ delayMs. A byte counts as on the way until the destination
 * socket has taken it, so a slow receiver also holds the sender back, as TCP would.
 * `null` in the queue stands for the sender's FIN.
 */
export function delayedPipe(from: Readable, to: Writable, options: DelayedPipeOptions): void {
  const queue: Pending[] = [];
  let inFlight = 0;
  let timer: NodeJS.Timeout | undefined;
  let paused = false;

  const release = (n: number) => {
    inFlight -= n;
    if (paused && inFlight < options.windowBytes) {
      paused = false;
      from.resume();
    }
  };

  const deliver = () => {
    timer = undefined;
    const now = Date.now();
    while (queue.length > 0 && (queue[0] as Pending).due <= now) {
      const { chunk } = queue.shift() as Pending;
      if (to.destroyed) return;
      if (chunk === null) {
        to.end();
        return;
      }
      to.write(chunk, () => release(chunk.length));
    }
    schedule();
  };

  const schedule = () => {
    const head = queue[0];
    if (head === undefined || timer !== undefined) return;
    timer = setTimeout(deliver, Math.max(0, head.due - Date.now()));
  };

  from.on("data", (chunk: Buffer) => {
    options.onBytes?.(chunk.length);
    inFlight += chunk.length;
    queue.push({ chunk, due: Math.max(Date.now(), options.openAt) + options.delayMs });
    if (inFlight >= options.windowBytes && !paused) {
      paused = true;
      from.pause();
    }
    schedule();
  });
  from.on("end", () => {
    queue.push({ chunk: null, due: Math.max(Date.now(), options.openAt) + options.delayMs });
    schedule();
  });
}
