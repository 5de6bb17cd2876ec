import { formatBytes, formatDuration, formatRate } from "../../report/index.js";
import type { TransferEvent } from "../../transfer/index.js";
import { LiveLine, percent, renderBar } from "../terminal/index.js";

/** Options of {@link CopyProgress}. */
export interface CopyProgressOptions {
  /** The terminal the bar is drawn on. */
  stream: NodeJS.WriteStream;
  /** Other streams whose output must go above the bar (stdout on the same terminal). @defaultValue none */
  alsoOn?: NodeJS.WritableStream[];
  /** @defaultValue Date.now */
  now?: () => number;
}

/**
 * The progress bar of `longbow cp` on a terminal: bytes done of the object, rate and ETA,
 * each labelled, e.g. `██████░░░░ 50% | 128.0 MiB of 256.0 MiB | 21.3 MiB/s sent | ETA 6s`. Parts an
 * earlier run left count as done; the rate and ETA count only what this run sends.
 */
export class CopyProgress {
  private readonly line: LiveLine;
  private readonly now: () => number;
  private total = 0;
  /** Bytes at the destination: sent by this run, or kept from an earlier one. */
  private done = 0;
  /** Bytes sent by this run: what the rate counts. */
  private sent = 0;
  private started: number | undefined;
  private drawnAt = Number.NEGATIVE_INFINITY;

  constructor(o: CopyProgressOptions) {
    this.line = new LiveLine({ stream: o.stream, alsoOn: o.alsoOn ?? [] });
    this.now = o.now ?? Date.now;
  }

  /** Feeds one event of the copy; the bar starts once the copy knows its size. */
  onEvent(e: TransferEvent): void {
    if (e.type === "copy_planned") {
      this.total = e.bytesTotal;
      this.started = this.now();
      this.draw();
    }
    if (e.type === "part_uploaded" || e.type === "object_put" || e.type === "parts_reused") {
      this.done += e.bytes;
      // parts an earlier run left are done, but this run did not send them
      if (e.type !== "parts_reused") this.sent += e.bytes;
      if (this.now() - this.drawnAt >= 100) this.draw();
    }
  }

  /** The bar's text now. */
  text(): string {
    const seconds = this.started === undefined ? 0 : (this.now() - this.started) / 1000;
    const rate = seconds > 0 ? this.sent / seconds : 0;
    const left = Math.max(0, this.total - this.done);
    const eta = rate > 0 ? formatDuration(left / rate) : "?";
    const fraction = this.total > 0 ? this.done / this.total : 0;
    return (
      `${renderBar(fraction)} ${percent(this.done, this.total)}% | ` +
      `${formatBytes(Math.min(this.done, this.total))} of ${formatBytes(this.total)} | ${formatRate(rate)} sent | ETA ${eta}`
    );
  }

  private draw(): void {
    this.drawnAt = this.now();
    this.line.show(this.text());
  }

  /** Erases the bar; the result line that follows starts on a clean line. */
  stop(): void {
    this.line.stop();
  }
}
