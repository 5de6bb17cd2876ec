import type { YamlSource } from "./yaml-source.js";

/** One thing wrong (or suspicious) in a migration file, located to the character. */
export interface Problem {
  /** File as given to the loader. */
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  col: number;
  /** Dotted path of the offending field, e.g. `source.bucket`, `ignore[2]`; empty for the file itself. */
  path: string;
  message: string;
  /** Errors fail validation; warnings are printed only. @defaultValue "error" */
  severity?: "error" | "warning";
}

/** `file:line:col  path  message`, the format of `longbow validate` and of editors' problem matchers. */
export function formatProblem(p: Problem): string {
  const tag = p.severity === "warning" ? "warning: " : "";
  return visibleText(`${p.file}:${p.line}:${p.col}  ${p.path || "(file)"}  ${tag}${p.message}`);
}

/** True when at least one problem is an error (not a warning). */
export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((p) => (p.severity ?? "error") === "error");
}

/** Orders problems by file, then position, so output is stable across runs. */
export function sortProblems(problems: Problem[]): Problem[] {
  return problems.sort(
    (a, b) =>
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.line - b.line ||
      a.col - b.col ||
      (a.message < b.message ? -1 : a.message > b.message ? 1 : 0),
  );
}

/** Renders a JSON-pointer-like segment list as `a.b[2].c`. */
export function dottedPath(segments: readonly (string | number)[]): string {
  let out = "";
  for (const s of segments) {
    if (typeof s === "number") out += `[${s}]`;
    else out += out === "" ? s : `.${s}`;
  }
  return out;
}

/** A problem at the node `path` of a parsed file (or its nearest existing ancestor). */
export function problemAt(
  where: { file: string; source: Pick<YamlSource, "positionOf"> },
  path: readonly (string | number)[],
  message: string,
  severity: "error" | "warning" = "error",
): Problem {
  const { line, col } = where.source.positionOf(path);
  return { file: where.file, line, col, path: dottedPath(path), message, severity };
}

/** A problem with a whole file, before or without any YAML to point into: line 1, column 1. */
export function fileProblem(file: string, message: string, severity: "error" | "warning" = "error"): Problem {
  return { file, line: 1, col: 1, path: "", message, severity };
}

// C0 and C1 controls (a terminal reads ESC as a command) and the bidirectional overrides
// that make text read differently than it is stored
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const invisible = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** `text` with control and bidi-override characters written as `\x1b`, `\u202e`: messages quote untrusted values. */
export function visibleText(text: string): string {
  return text.replace(invisible, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, "0")}`
      : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/** The problem with its message and path made {@link visibleText}. */
export function visibleProblem(p: Problem): Problem {
  return { ...p, path: visibleText(p.path), message: visibleText(p.message) };
}
