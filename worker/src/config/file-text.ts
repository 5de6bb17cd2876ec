import { formatBytes, inputLimits } from "./input-limits.js";
import { fileProblem, type Problem } from "./problem.js";

/** Where the first byte sequence that is not UTF-8 starts: 1-based line and column (in characters). */
function firstInvalid(bytes: Uint8Array): { line: number; col: number; offset: number } {
  const valid = (end: number) => {
    try {
      // `stream` forgives a sequence cut at `end`, so only bytes that can never be UTF-8 fail
      new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, end), { stream: true });
      return true;
    } catch {
      return false;
    }
  };
  // a prefix that fails keeps failing when it grows: bisect for the shortest one
  let lo = 0;
  let hi = bytes.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (valid(mid + 1)) lo = mid + 1;
    else hi = mid;
  }
  // `lo` is the byte the decoder stumbled on; when it cut short a sequence begun just before
  // (a lead byte expecting more continuation bytes than came), point at that lead byte
  let offset = Math.min(lo, bytes.length - 1);
  let k = lo - 1;
  while (k >= 0 && lo - k <= 3 && ((bytes[k] as number) & 0xc0) === 0x80) k--;
  const lead = bytes[k] ?? 0;
  const length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  if (k >= 0 && lo - k <= 3 && length > 1 && k + length > lo) offset = k;
  // (lastIndexOf counts a negative start from the end)
  const lineStart = offset === 0 ? 0 : bytes.lastIndexOf(0x0a, offset - 1) + 1;
  let line = 1;
  for (let i = 0; i < lineStart; i++) if (bytes[i] === 0x0a) line++;
  const before = new TextDecoder("utf-8").decode(bytes.subarray(lineStart, offset));
  return { line, col: Array.from(before).length + 1, offset };
}

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => `0x${b.toString(16).padStart(2, "0")}`).join(" ");

/**
 * A migration file's bytes as text, or the one problem that stops reading it: larger than
 * {@link inputLimits.maxFileBytes}, or not UTF-8 (with the line and column of the first bad
 * byte; bytes are never replaced silently). A UTF-8 byte order mark is dropped.
 */
export function decodeMigrationText(
  bytes: Uint8Array,
  file: string,
): { text: string } | { problem: Problem } {
  if (bytes.length > inputLimits.maxFileBytes) {
    return {
      problem: fileProblem(
        file,
        `file is ${formatBytes(bytes.length)}; a migration file may be at most ${formatBytes(inputLimits.maxFileBytes)}`,
      ),
    };
  }
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
  } catch {
    if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
      return {
        problem: fileProblem(
          file,
          "file is UTF-16 (it starts with a UTF-16 byte order mark): save it as UTF-8",
        ),
      };
    }
    const { line, col, offset } = firstInvalid(bytes);
    return {
      problem: {
        file,
        line,
        col,
        path: "",
        message: `file is not valid UTF-8: bytes ${hex(bytes.subarray(offset, offset + 4))} at line ${line}; save it as UTF-8`,
        severity: "error",
      },
    };
  }
}
