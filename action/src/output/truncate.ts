/** GitHub rejects issue comments longer than this many characters. */
export const commentLimit = 65_536;

/**
 * Cuts `body` to fit a comment of at most `limit` characters, at a line boundary, closing any
 * code fence or `<details>` fold left open, and ends it with `pointer` (e.g. "full report in
 * the job summary of run ..."). A body that fits is returned unchanged.
 */
export function fitComment(body: string, pointer: string, limit: number = commentLimit): string {
  if (body.length <= limit) return body;
  const tail = `\n\n_Truncated: ${pointer}_\n`;
  // Room for the closers added below (at most one fence plus the open folds).
  let cut = body.slice(0, Math.max(0, limit - tail.length - 200));
  const newline = cut.lastIndexOf("\n");
  if (newline > 0) cut = cut.slice(0, newline);
  let closers = "";
  if ((cut.match(/^```/gm)?.length ?? 0) % 2 === 1) closers += "\n```";
  // Folds open and close at the start of a line; a key quoting `<details>` inside a code span
  // never does (see worker/src/markdown), so it is not counted.
  const open = (cut.match(/^<details>/gm)?.length ?? 0) - (cut.match(/^<\/details>/gm)?.length ?? 0);
  const folds = "\n</details>".repeat(Math.max(0, open));
  // Each unclosed fold costs 11 characters; drop more text if many folds are open.
  const budget = limit - tail.length - closers.length - folds.length;
  if (cut.length > budget) cut = cut.slice(0, budget);
  return `${cut}${closers}${folds}${tail}`;
}
