/**
 * What a terminal shows after some output: a tiny model of the control sequences Longbow's
 * live line uses (carriage return, newline, erase line, cursor show/hide) and of cursor
 * save/restore (ESC 7 / ESC 8, CSI s / u), so a test can assert the final screen of output
 * captured off a pipe. Other CSI sequences are ignored.
 */
export function renderScreen(output: string): string[] {
  const lines: string[][] = [[]];
  let row = 0;
  let col = 0;
  let saved = { row: 0, col: 0 };
  const line = () => {
    while (lines.length <= row) lines.push([]);
    return lines[row] as string[];
  };
  for (let i = 0; i < output.length; i++) {
    const ch = output[i] as string;
    if (ch === "\x1b") {
      const next = output[i + 1];
      if (next === "7" || next === "8") {
        if (next === "7") saved = { row, col };
        else ({ row, col } = saved);
        i++;
        continue;
      }
      // CSI: ESC [ parameters final-letter
      const m = next === "[" ? /^\[([?0-9;]*)([A-Za-z])/.exec(output.slice(i + 1)) : null;
      if (m) {
        const [csi, args, cmd] = m as unknown as [string, string, string];
        const all = `e${csi}`;
        if (cmd === "K" && (args === "2" || args === "")) {
          const l = line();
          if (args === "2") l.length = 0;
          else l.length = Math.min(l.length, col);
        } else if (cmd === "s") saved = { row, col };
        else if (cmd === "u") ({ row, col } = saved);
        i += all.length - 1;
        continue;
      }
      continue;
    }
    if (ch === "\r") col = 0;
    else if (ch === "\n") {
      row++;
      col = 0;
      line();
    } else {
      const l = line();
      while (l.length < col) l.push(" ");
      l[col] = ch;
      col++;
    }
  }
  const text = lines.map((l) => l.join("").trimEnd());
  while (text.length > 0 && text.at(-1) === "") text.pop();
  return text;
}
