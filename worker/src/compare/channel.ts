/**
 * A bounded queue between producers (partition workers) and one consumer: `push` waits
 * while `capacity` values are unread, so fast listings cannot outrun a slow consumer.
 */
export class Channel<T> {
  private readonly buffer: T[] = [];
  private readonly pushWaiters: (() => void)[] = [];
  private pullWaiter: (() => void) | undefined;
  private closed = false;
  private failure: { error: unknown } | undefined;

  constructor(private readonly capacity: number) {}

  /** Resolves once the value is queued; rejects if the channel was closed meanwhile. */
  async push(value: T): Promise<void> {
    while (this.buffer.length >= this.capacity && !this.closed) {
      await new Promise<void>((r) => this.pushWaiters.push(r));
    }
    if (this.closed) throw new Error("channel closed");
    this.buffer.push(value);
    this.wakePull();
  }

  /** No more values: the consumer finishes after draining, or throws `error` when given. */
  close(error?: unknown): void {
    if (this.closed) return;
    this.closed = true;
    if (error !== undefined) this.failure = { error };
    for (const w of this.pushWaiters.splice(0)) w();
    this.wakePull();
  }

  private wakePull(): void {
    const w = this.pullWaiter;
    this.pullWaiter = undefined;
    w?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for (;;) {
      if (this.failure) throw this.failure.error;
      const v = this.buffer.shift();
      if (v !== undefined) {
        this.pushWaiters.shift()?.();
        yield v;
        continue;
      }
      if (this.closed) return;
      await new Promise<void>((r) => {
        this.pullWaiter = r;
      });
    }
  }
}
