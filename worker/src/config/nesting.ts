import { type Document, isAlias, isMap, isPair, isSeq, type Node } from "yaml";

/** Why a parsed YAML document is too deep to turn into a value, and where. */
export interface NestingProblem {
  /** Offset in the text. */
  offset: number;
  message: string;
}

interface Frame {
  node: Node;
  depth: number;
  /** The alias the walk came through last, the place to point at for what it brings in. */
  via: Node | undefined;
  exit: boolean;
}

function children(node: Node): Node[] {
  const out: Node[] = [];
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      // a key can be a collection too (`? [a, b]`)
      if (pair.key && typeof pair.key === "object") out.push(pair.key as Node);
      if (pair.value && typeof pair.value === "object") out.push(pair.value as Node);
    }
  } else if (isSeq(node)) {
    for (const item of node.items) if (item && typeof item === "object") out.push(item as Node);
  }
  return out;
}

/**
 * Walks the document without recursion, following aliases, and reports the first place
 * nested deeper than `maxDepth` maps and lists, or an alias inside the collection it names
 * (which would be an endless value). Each node is walked again only when reached deeper
 * than before, and never past `maxDepth`, so an alias bomb costs at most nodes × maxDepth.
 */
export function nestingProblem(doc: Document, maxDepth: number): NestingProblem | undefined {
  const root = doc.contents as Node | null;
  if (root === null || typeof root !== "object") return undefined;
  const deepestSeen = new Map<Node, number>();
  const onPath = new Set<Node>();
  const stack: Frame[] = [{ node: root, depth: 1, via: undefined, exit: false }];
  const offsetOf = (n: Node | undefined) => n?.range?.[0] ?? 0;
  while (stack.length > 0) {
    const f = stack.pop() as Frame;
    if (f.exit) {
      onPath.delete(f.node);
      continue;
    }
    let node = f.node;
    let via = f.via;
    if (isAlias(node)) {
      const target = node.resolve(doc) as Node | undefined;
      if (target === undefined) continue;
      via = node;
      if (onPath.has(target)) {
        return {
          offset: offsetOf(node),
          message: `alias '*${node.source}' is inside the collection it names`,
        };
      }
      node = target;
    }
    if (!isMap(node) && !isSeq(node)) continue;
    if (f.depth > maxDepth) {
      return {
        offset: offsetOf(via ?? node),
        message: `maps and lists are nested deeper than ${maxDepth} levels (a migration needs 3)`,
      };
    }
    if ((deepestSeen.get(node) ?? 0) >= f.depth) continue;
    deepestSeen.set(node, f.depth);
    onPath.add(node);
    stack.push({ node, depth: f.depth, via, exit: true });
    for (const c of children(node)) stack.push({ node: c, depth: f.depth + 1, via, exit: false });
  }
  return undefined;
}
