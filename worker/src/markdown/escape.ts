/**
 * Untrusted text (object keys, S3 error messages, migration fields, reasons) as Markdown that
 * renders as exactly that text: it cannot close a tag, open HTML, a link or an image, leave a
 * code span, split a table cell or start a new block. Every Markdown output of the engine and
 * the Action builds on these, so the rules live in one place.
 *
 * Three contexts, three functions:
 * - {@link inlineCode}: a code span, for identifiers (keys, buckets, prefixes, names) and
 *   free text (messages, reasons) that should read verbatim;
 * - {@link escapeText}: plain inline text, every ASCII punctuation character backslash-escaped;
 * - {@link escapeHtml}: text inside raw HTML (`<summary>…</summary>`), where Markdown is not
 *   parsed at all and only entities work.
 */

/** Where a piece of inline Markdown is placed. */
export interface MarkdownPlacement {
  /**
   * The text sits in a table cell: `|` is escaped as `\|` (GitHub's tables split rows on `|`
   * before inline parsing, even inside code spans, and drop the backslash again).
   * @defaultValue false
   */
  inTable?: boolean;
}

/** Shown in place of a line break, which would end a table row, a paragraph or an HTML block. */
export const lineBreakMark = "↵";

const lineBreaks = /\r\n|[\r\n\u2028\u2029]/g;

/** Replaces every line break with {@link lineBreakMark} and NUL with U+FFFD (as CommonMark does). */
export function singleLine(text: string): string {
  return text.replace(lineBreaks, lineBreakMark).replace(/\0/g, "\uFFFD");
}

/**
 * `text` as one code span. The fence is one backtick longer than the longest run of
 * backticks inside, so no run can close it; a space pads each side when the text starts or
 * ends with a backtick or a space (CommonMark strips exactly one such pair); line breaks become
 * {@link lineBreakMark}. Code spans never hold HTML, links, images or emphasis.
 */
export function inlineCode(text: string, placement: MarkdownPlacement = {}): string {
  let body = singleLine(text);
  if (placement.inTable === true) body = body.replace(/\|/g, "\\|");
  if (body === "") return "` `";
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = /^[` ]|[` ]$/.test(body) ? " " : "";
  return `${fence}${pad}${body}${pad}${fence}`;
}

// Every ASCII punctuation character may be backslash-escaped in CommonMark, and an escaped
// one is always literal: no emphasis, link, image, HTML, entity, code span or table pipe.
const punctuation = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g;

/**
 * `text` as plain inline Markdown that renders as itself: every ASCII punctuation character
 * is backslash-escaped (so `<img>`, `[a](b)`, `![x](y)`, `` ` ``, `*`, `|`, `&amp;` and
 * `#` stay literal, in a table cell too) and line breaks become {@link lineBreakMark}.
 * Prefer {@link inlineCode} for text that may hold a URL: a renderer that links bare URLs
 * (GitHub does) may still do so in plain text, never inside a code span.
 */
export function escapeText(text: string): string {
  return singleLine(text).replace(punctuation, (c) => `\\${c}`);
}

/**
 * `text` for a raw HTML context (inside `<summary>`, `<code>`, an attribute), where Markdown
 * is not parsed: `& < > " '` become entities and line breaks become {@link lineBreakMark},
 * since a blank line would end the HTML block.
 */
export function escapeHtml(text: string): string {
  return singleLine(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
