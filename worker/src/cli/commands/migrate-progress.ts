import { formatBytes, formatDuration, formatRate } from "../../report/index.js";
import type { TransferEvent } from "../../transfer/index.js";
import { LiveLine, percent, renderBar } from "../terminal/index.js";

export interface ProgressOptions {
  objectsTotal: number;
  bytesTotal: number;
  /** A live bar (on a terminal) or JSON lines. */
  tty: boolean;
  /** Where the bar or the lines go. @defaultValue standard error */
  stream?: NodeJS.WritableStream;
  /** On a terminal: other streams whose output must go above the bar. @defaultValue none */
  alsoOn?: NodeJS.WritableStream[];
  /** Milliseconds between JSON lines. @defaultValue 1000 */
  intervalMs?: number;
  /** @defaultValue Date.now */
  now?: () => number;
}

/**
 * Progress of `longbow migrate`: objects and bytes done, rate and ETA, as a live
 * bar on a terminal or one JSON line per interval otherwise. Stdout stays for the report.
 */
export class MigrateProgress {
  private objectsTotal: number;
  private bytesTotal: number;
  private objectsDone = 0;
  private objectsFailed = 0;
  private bytesDone = 0;
  private readonly started: number;
  private readonly now: () => number;
  private readonly stream: NodeJS.WritableStream;
  private readonly bar: LiveLine | undefined;
  private readonly timer: NodeJS.Timeout;
  private drawnAt = Number.NEGATIVE_INFINITY;

  constructor(o: ProgressOptions) {
    this.objectsTotal = o.objectsTotal;
    this.bytesTotal = o.bytesTotal;
    this.now = o.now ?? Date.now;
    this.started = this.now();
    this.stream = o.stream ?? process.stderr;
    if (o.tty) {
      this.bar = new LiveLine({ stream: this.stream as NodeJS.WriteStream, alsoOn: o.alsoOn ?? [] });
      this.draw();
      // rate and ETA move on between events too
      this.timer = setInterval(() => this.draw(), o.intervalMs ?? 1000);
    } else {
      this.timer = setInterval(() => this.line(), o.intervalMs ?? 1000);
    }
    this.timer.unref();
  }

  private get rate(): number {
    const seconds = (this.now() - this.started) / 1000;
    return seconds > 0 ? this.bytesDone / seconds : 0;
  }

  /** Bytes done as shown: never more than the total known so far. */
  private get bytesShown(): number {
    return Math.min(this.bytesTotal, this.bytesDone);
  }

  private payload() {
    const eta = this.rate > 0 ? (this.bytesTotal - this.bytesShown) / this.rate : undefined;
    return {
      objects: `${this.objectsDone}/${this.objectsTotal}${this.objectsFailed ? ` (${this.objectsFailed} failed)` : ""}`,
      bytes: `${formatBytes(this.bytesShown)}/${formatBytes(this.bytesTotal)}`,
      rate: formatRate(this.rate),
      etaText: eta === undefined ? "?" : formatDuration(eta),
    };
  }

  /** Bytes moved by a copy (parts reused from an earlier run count: they need no copying). */
  onTransfer(event: TransferEvent): void {
    if (event.type === "part_uploaded" || event.type === "object_put" || event.type === "parts_reused") {
      this.addBytes(event.bytes);
    }
  }

  /** An object finished; `alreadyThere` bytes were not moved (identical at the destination). */
  onObjectDone(alreadyThere = 0): void {
    this.objectsDone++;
    this.addBytes(alreadyThere);
  }

  onObjectFailed(): void {
    this.objectsFailed++;
    this.update();
  }

  /**
   * More work found: the compare queued `objects` more objects of `bytes`. Copying starts
   * before the compare has listed everything, so the totals grow while the bar runs.
   */
  addTotals(objects: number, bytes: number): void {
    this.objectsTotal += objects;
    this.bytesTotal += bytes;
    this.update();
  }

  private addBytes(n: number): void {
    this.bytesDone += n;
    this.update();
  }

  /** The bar as drawn on a terminal. */
  private barText(): string {
    const p = this.payload();
    const bar = renderBar(this.bytesTotal > 0 ? this.bytesShown / this.bytesTotal : 0);
    return `${bar} ${percent(this.bytesShown, this.bytesTotal)}% | ${p.objects} objects | ${p.bytes} | ${p.rate} | ETA ${p.etaText}`;
  }

  /** Redraws the bar, at most ten times a second: a terminal is slow, parts are many. */
  private update(): void {
    if (this.now() - this.drawnAt >= 100) this.draw();
  }

  private draw(): void {
    if (this.bar === undefined) return;
    this.drawnAt = this.now();
    this.bar.show(this.barText());
  }

  private line(): void {
    const eta = this.rate > 0 ? Math.ceil((this.bytesTotal - this.bytesShown) / this.rate) : undefined;
    this.stream.write(
      `${JSON.stringify({
        type: "progress",
        objectsDone: this.objectsDone,
        objectsFailed: this.objectsFailed,
        objectsTotal: this.objectsTotal,
        bytesDone: this.bytesShown,
        bytesTotal: this.bytesTotal,
        bytesPerSecond: Math.round(this.rate),
        ...(eta === undefined ? {} : { etaSeconds: eta }),
      })}\n`,
    );
  }

  /**
   * Ends the display: on a terminal the bar's last state stays as a line of its own (the
   * cursor then starts a clean line); otherwise one last JSON line.
   */
  stop(): void {
    clearInterval(this.timer);
    if (this.bar) {
      if (!this.bar.active) return;
      const last = this.barText();
      this.bar.stop();
      this.stream.write(`${last}\n`);
    } else this.line();
  }

  /** Erases the bar without leaving its last state behind (the caller prints a summary instead). */
  clear(): void {
    clearInterval(this.timer);
    this.bar?.stop();
  }
}
