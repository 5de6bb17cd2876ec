/** Erases the terminal line the cursor is on and returns to its start. */
const eraseLine = "\r\x1b[2K";
const hideCursor = "\x1b[?25l";
const showCursor = "\x1b[?25h";

type Write = NodeJS.WritableStream["write"];

/** Options of {@link LiveLine}. */
export interface LiveLineOptions {
  /** The terminal the line is drawn on. */
  stream: NodeJS.WriteStream;
  /**
   * Other streams that reach the same terminal (standard output when both are a terminal):
   * what they print goes above the line too. @defaultValue none
   */
  alsoOn?: NodeJS.WritableStream[];
}

/**
 * One status line kept at the bottom of a terminal (a progress bar), with everything else
 * printed above it: while the line is shown, every write to its stream (log lines, Node's
 * own warnings, messages) first erases the line, then the line is drawn again under the
 * text. No cursor save and restore: the line is always the last one, so a report printed
 * after {@link LiveLine.stop} starts on a clean line of its own.
 */
export class LiveLine {
  private readonly stream: NodeJS.WriteStream;
  private readonly streams: NodeJS.WritableStream[];
  private readonly originals = new Map<NodeJS.WritableStream, Write>();
  private text = "";
  /** Text written since the last newline, by someone else: the line is redrawn after it ends. */
  private partial = false;

  constructor(o: LiveLineOptions) {
    this.stream = o.stream;
    this.streams = [o.stream, ...(o.alsoOn ?? []).filter((s) => s !== o.stream)];
  }

  /** True while the line is on screen. */
  get active(): boolean {
    return this.originals.size > 0;
  }

  /** Draws (or redraws) the line, cut to the terminal's width so it never wraps. */
  show(text: string): void {
    if (!this.active) this.intercept();
    const width = this.stream.columns ?? 80;
    this.text = text.length >= width ? text.slice(0, Math.max(0, width - 1)) : text;
    if (!this.partial) this.raw(`${eraseLine}${this.text}`);
  }

  /** Erases the line and stops intercepting; what is printed next starts at the line's start. */
  stop(): void {
    if (!this.active) return;
    this.raw(`${this.partial ? "\n" : eraseLine}${showCursor}`);
    for (const [s, write] of this.originals) s.write = write;
    this.originals.clear();
    this.partial = false;
  }

  private intercept(): void {
    for (const s of this.streams) {
      const write = s.write;
      this.originals.set(s, write);
      s.write = ((chunk: unknown, ...rest: unknown[]) => this.above(s, write, chunk, rest)) as Write;
    }
    this.raw(hideCursor);
  }

  /** Someone else's write: erase the line, print the text, draw the line again once the text ends a line. */
  private above(s: NodeJS.WritableStream, write: Write, chunk: unknown, rest: unknown[]): boolean {
    const text = typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString();
    if (!this.partial) this.raw(eraseLine);
    const ok = (write as (...a: unknown[]) => boolean).call(s, chunk, ...rest);
    this.partial = !text.endsWith("\n") && text.length > 0 ? true : text.length === 0 ? this.partial : false;
    if (!this.partial) this.raw(this.text);
    return ok;
  }

  private raw(text: string): void {
    const write = this.originals.get(this.stream) ?? this.stream.write;
    (write as (t: string) => boolean).call(this.stream, text);
  }
}
