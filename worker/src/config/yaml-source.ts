import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";

/** A parsed YAML file that can say where any path of its value sits. */
export interface YamlSource {
  /** The plain JS value (undefined when the file has syntax errors). */
  value: unknown;
  /** YAML syntax errors, already located. */
  syntaxErrors: { line: number; col: number; message: string }[];
  /** Line and column of the value at `path`, or of its nearest existing ancestor. */
  positionOf(path: readonly (string | number)[]): { line: number; col: number };
  /** Line and column of the key `key` in the map at `path` (for unknown keys). */
  keyPositionOf(path: readonly (string | number)[], key: string): { line: number; col: number };
}

/** Parses YAML keeping a line counter, so every later problem can point at its node. */
export function parseYamlSource(text: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, col: p.col };
  };
  const syntaxErrors = doc.errors.map((e) => {
    const { line, col } = at(e.pos[0]);
    return { line, col, message: e.message.split("\n")[0] ?? e.message };
  });
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
    value: doc.errors.length > 0 ? undefined : doc.toJS(),
    syntaxErrors,
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
