import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { LiveLine } from "../../../worker/src/cli/terminal/index.js";
import { renderScreen } from "../../support/screen.js";

/**
 * A terminal of `columns` columns: `stream` and `other` (stderr and stdout, say) write to
 * it synchronously, in order, as two descriptors of one terminal do.
 */
function terminal(columns = 60) {
  let out = "";
  const fd = () =>
    Object.assign(
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          out += chunk.toString();
          done();
        },
      }),
      { isTTY: true, columns },
    ) as unknown as NodeJS.WriteStream;
  return { stream: fd(), other: fd(), screen: () => renderScreen(out) };
}

describe("a live status line", () => {
  it("keeps log lines and warnings above it, on lines of their own", () => {
    const { stream, screen } = terminal();
    const line = new LiveLine({ stream });
    line.show("[##  ] 50%");
    stream.write('{"level":"warn","msg":"retrying"}\n');
    line.show("[### ] 75%");
    stream.write("(node:1) Warning: something\n");
    expect(screen()).toEqual([
      '{"level":"warn","msg":"retrying"}',
      "(node:1) Warning: something",
      "[### ] 75%",
    ]);
  });

  it("also keeps another stream's output above it (stdout on the same terminal)", () => {
    const { stream, other: stdout, screen } = terminal();
    const line = new LiveLine({ stream, alsoOn: [stdout] });
    line.show("bar");
    stdout.write("report line\n");
    expect(screen()).toEqual(["report line", "bar"]);
  });

  it("waits for the end of a line written in pieces before drawing itself again", () => {
    const { stream, screen } = terminal();
    const line = new LiveLine({ stream });
    line.show("bar 1");
    stream.write("half a ");
    line.show("bar 2");
    stream.write("line\n");
    expect(screen()).toEqual(["half a line", "bar 2"]);
  });

  it("is gone once stopped: what follows starts on a clean line, and writes are no longer touched", () => {
    const { stream, screen } = terminal();
    const line = new LiveLine({ stream });
    line.show("a long progress bar text");
    line.stop();
    stream.write("### Report\n");
    expect(screen()).toEqual(["### Report"]);
    expect(line.active).toBe(false);
  });

  it("never wraps: a line wider than the terminal is cut", () => {
    const { stream, screen } = terminal(10);
    new LiveLine({ stream }).show("0123456789abcdef");
    expect(screen()).toEqual(["012345678"]);
  });
});
