import {
  type Document,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  visit,
} from "yaml";
import { inputLimits } from "./input-limits.js";
import { nestingProblem } from "./nesting.js";

/** A parsed YAML file that can say where any path of its value sits. */
export interface YamlSource {
  /** The plain JS value (undefined when the file has syntax errors). */
  value: unknown;
  /** YAML syntax errors, already located; also what stops the text becoming a value (alias bombs, depth). */
  syntaxErrors: { line: number; col: number; message: string }[];
  /** What the YAML library warns about (an unknown tag, ...), located. */
  warnings: { line: number; col: number; message: string }[];
  /** Line and column of the value at `path`, or of its nearest existing ancestor. */
  positionOf(path: readonly (string | number)[]): { line: number; col: number };
  /** Line and column of the key `key` in the map at `path` (for unknown keys). */
  keyPositionOf(path: readonly (string | number)[], key: string): { line: number; col: number };
}

const firstLine = (message: string) => message.split("\n")[0] ?? message;

const tooDeep = "maps and lists are nested too deeply to parse (a migration needs 3 levels)";

// the yaml library reports its own stack overflow as a parse error; say what it means
const plainMessage = (message: string) =>
  message.startsWith("Maximum call stack size exceeded") ? tooDeep : message;

function firstAliasOffset(doc: Document): number {
  let offset = 0;
  visit(doc, {
    Alias(_, node) {
      offset = node.range?.[0] ?? 0;
      return visit.BREAK;
    },
  });
  return offset;
}

/**
 * Turns a parsed document into a plain value, or says why it must not be: nesting past
 * {@link inputLimits.maxNesting} (aliases followed), an alias inside what it names, or an
 * alias bomb (the yaml library's `maxAliasCount`). Never throws: any failure is a located error.
 */
function toValue(doc: Document): { value: unknown } | { offset: number; message: string } {
  const deep = nestingProblem(doc, inputLimits.maxNesting);
  if (deep) return deep;
  try {
    return { value: doc.toJS({ maxAliasCount: inputLimits.maxAliasCount }) };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/excessive alias count/i.test(message)) {
      return {
        offset: firstAliasOffset(doc),
        message: `aliases expand to too much data (more than the limit of ${inputLimits.maxAliasCount}): an alias bomb?`,
      };
    }
    return { offset: firstAliasOffset(doc), message };
  }
}

/** Parses YAML keeping a line counter, so every later problem can point at its node. Never throws. */
export function parseYamlSource(text: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, col: p.col };
  };
  const located = doc.errors
    .map((e) => ({ offset: e.pos[0], message: plainMessage(firstLine(e.message)) }))
    .sort((a, b) => a.offset - b.offset)
    .map((e) => ({ ...at(e.offset), message: e.message }));
  // a stack overflow is reported once per level it unwinds: the first is enough
  const syntaxErrors = located.filter(
    (e, i) => e.message !== tooDeep || located.findIndex((x) => x.message === tooDeep) === i,
  );
  const warnings = doc.warnings.map((e) => ({ ...at(e.pos[0]), message: firstLine(e.message) }));
  let value: unknown;
  if (syntaxErrors.length === 0) {
    const v = toValue(doc);
    if ("value" in v) value = v.value;
    else syntaxErrors.push({ ...at(v.offset), message: v.message });
  }
  const start = () => {
    const c = doc.contents as Node | null;
    return at(c?.range?.[0] ?? 0);
  };
  const nodeAt = (path: readonly (string | number)[]): Node | undefined => {
    let node: unknown = doc.contents;
    let last: Node | undefined = doc.contents ?? undefined;
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg),
        );
        // `key:` with no value: point at the key rather than the enclosing map
        node = pair?.value ?? pair?.key;
      } else if (isSeq(node) && typeof seg === "number") {
        node = node.items[seg];
      } else {
        node = undefined;
      }
      if (node === undefined || node === null) return last;
      last = node as Node;
    }
    return last;
  };
  return {
    value,
    syntaxErrors,
    warnings,
    positionOf(path) {
      const node = nodeAt(path);
      return node?.range ? at(node.range[0]) : start();
    },
    keyPositionOf(path, key) {
      const map = nodeAt(path);
      if (isMap(map)) {
        const pair = map.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
        const k = pair?.key as Node | undefined;
        if (k?.range) return at(k.range[0]);
      }
      return map?.range ? at(map.range[0]) : start();
    },
  };
}
