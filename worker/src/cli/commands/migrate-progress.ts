import {
  formatBytes,
  formatDuration,
  formatRate,
  type MigrationReport,
  type StateTotals,
} from "../../report/index.js";
import type { TransferEvent } from "../../transfer/index.js";
import { LiveLine, percent, renderBar } from "../terminal/index.js";

/** The migrations' objects and bytes by state, as the report counts them (the ledger's counters). */
export interface ProgressCounts {
  objects: StateTotals;
  bytes: StateTotals;
}

export interface ProgressOptions {
  /** Reads the counts: the same ledger counters the report shows, so the two always agree. */
  counts: () => Promise<ProgressCounts>;
  /** A live bar (on a terminal) or JSON lines. */
  tty: boolean;
  /** Where the bar or the lines go. @defaultValue standard error */
  stream?: NodeJS.WritableStream;
  /** On a terminal: other streams whose output must go above the bar. @defaultValue none */
  alsoOn?: NodeJS.WritableStream[];
  /** Milliseconds between refreshes (and JSON lines). @defaultValue 1000 */
  intervalMs?: number;
  /** @defaultValue Date.now */
  now?: () => number;
}

const none = (): StateTotals => ({ total: 0, done: 0, pending: 0, failed: 0, skipped: 0, deleted: 0 });

/** The counts of several migrations together. */
export function countsOf(migrations: readonly Pick<MigrationReport, "objects" | "bytes">[]): ProgressCounts {
  const sum = (f: "objects" | "bytes"): StateTotals => {
    const t = none();
    for (const m of migrations) for (const k of Object.keys(t) as (keyof StateTotals)[]) t[k] += m[f][k];
    return t;
  };
  return { objects: sum("objects"), bytes: sum("bytes") };
}

/**
 * Progress of `longbow migrate`, as a live bar on a terminal or one JSON line per interval
 * otherwise (stdout stays for the report). Objects and bytes are the ledger's counters,
 * read once a second: the bar's last state and the report below it show the same numbers,
 * and totals grow as the compare queues more. The rate counts bytes sent to the
 * destination by this run only: parts an earlier run left and objects found identical are
 * done, but were not sent, so they do not make the copy look faster than it is.
 */
export class MigrateProgress {
  private counts: ProgressCounts = { objects: none(), bytes: none() };
  private bytesSent = 0;
  /** When this run sent its first byte: the rate is over the time it copied, as the report's is. */
  private firstSentAt: number | undefined;
  private readonly now: () => number;
  private readonly read: () => Promise<ProgressCounts>;
  private readonly stream: NodeJS.WritableStream;
  private readonly bar: LiveLine | undefined;
  private readonly timer: NodeJS.Timeout;
  private reading: Promise<void> | undefined;

  constructor(o: ProgressOptions) {
    this.now = o.now ?? Date.now;
    this.read = o.counts;
    this.stream = o.stream ?? process.stderr;
    if (o.tty) this.bar = new LiveLine({ stream: this.stream as NodeJS.WriteStream, alsoOn: o.alsoOn ?? [] });
    this.timer = setInterval(() => void this.tick(), o.intervalMs ?? 1000);
    this.timer.unref();
    void this.refresh().then(() => this.draw());
  }

  /** Bytes per second sent to the destination since this run began copying. */
  private get rate(): number {
    const seconds = this.firstSentAt === undefined ? 0 : (this.now() - this.firstSentAt) / 1000;
    return seconds > 0 ? this.bytesSent / seconds : 0;
  }

  private get etaSeconds(): number | undefined {
    return this.rate > 0 ? Math.ceil(this.counts.bytes.pending / this.rate) : undefined;
  }

  /** Bytes written to the destination by this run: an uploaded part or a whole small object. */
  onTransfer(event: TransferEvent): void {
    // the clock starts when the first copy is planned: listing and comparing send nothing
    if (event.type === "copy_planned") this.firstSentAt ??= this.now();
    if (event.type === "part_uploaded" || event.type === "object_put") this.bytesSent += event.bytes;
  }

  /** Reads the counts again (one read at a time; callers share it). */
  refresh(): Promise<void> {
    this.reading ??= this.read()
      .then((c) => {
        this.counts = c;
      })
      .catch(() => {
        // a failed read keeps the last counts: the display is not worth failing a run for
      })
      .finally(() => {
        this.reading = undefined;
      });
    return this.reading;
  }

  private async tick(): Promise<void> {
    await this.refresh();
    if (this.bar) this.draw();
    else this.line();
  }

  /** The bar as drawn on a terminal. */
  private barText(): string {
    const { objects, bytes } = this.counts;
    const eta = this.etaSeconds;
    const failed = objects.failed > 0 ? ` (${objects.failed} failed)` : "";
    const skipped = objects.skipped > 0 ? ` (${objects.skipped} skipped)` : "";
    const deleted = objects.deleted > 0 ? ` (${objects.deleted} deleted)` : "";
    // a mirror's deletions are finished work too
    const finished = bytes.done + bytes.deleted;
    return [
      `${renderBar(bytes.total > 0 ? finished / bytes.total : objects.pending === 0 ? 1 : 0)} ${percent(finished, bytes.total)}%`,
      `${objects.done}/${objects.total} objects${failed}${skipped}${deleted}`,
      `${formatBytes(bytes.done)} of ${formatBytes(bytes.total)}`,
      `${formatRate(this.rate)} sent`,
      `ETA ${eta === undefined ? "?" : formatDuration(eta)}`,
    ].join(" | ");
  }

  private draw(): void {
    this.bar?.show(this.barText());
  }

  private line(): void {
    const { objects, bytes } = this.counts;
    const eta = this.etaSeconds;
    this.stream.write(
      `${JSON.stringify({
        type: "progress",
        objects,
        bytes,
        bytesSent: this.bytesSent,
        bytesPerSecond: Math.round(this.rate),
        ...(eta === undefined ? {} : { etaSeconds: eta }),
      })}\n`,
    );
  }

  /**
   * Ends the display with the final counts: on a terminal the bar's last state stays as a
   * line of its own (the cursor then starts a clean line); otherwise one last JSON line.
   */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    // the final counts: a read begun before the last copies finished is not enough
    await this.reading;
    await this.refresh();
    if (this.bar) {
      const last = this.barText();
      if (this.bar.active) this.bar.stop();
      this.stream.write(`${last}\n`);
    } else this.line();
  }

  /** Erases the bar without leaving its last state behind (the caller prints a summary instead). */
  clear(): void {
    clearInterval(this.timer);
    this.bar?.stop();
  }
}
