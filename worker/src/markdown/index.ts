export {
  escapeHtml,
  escapeText,
  inlineCode,
  lineBreakMark,
  type MarkdownPlacement,
  singleLine,
} from "./escape.js";
