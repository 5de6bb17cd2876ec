/**
 * Summarises V8 CPU profiles (`node --cpu-prof`, e.g. `npm run bench -- --node-args=...`)
 * of Longbow's built CLI by where the time went: each sample's function is placed in the
 * module esbuild bundled it from (the `// node_modules/...` and `// worker/src/...` lines
 * the bundle keeps), and modules are grouped (SDK middleware, signing, XML, HTTP, SQLite,
 * logging, engine...). Self time only, so the groups add up to the profile.
 *
 *   npx tsx bench/profile-summary.ts /tmp/prof/*.cpuprofile
 *   npx tsx bench/profile-summary.ts --top 25 /tmp/prof/*.cpuprofile
 *
 * `--top N` also lists the N functions with the most self time, and the N engine functions
 * (worker/src) under which the most time was spent: each sample goes to the innermost
 * engine frame on its stack, so SDK or HTTP work is charged to the engine call that caused it.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Module groups, first match wins; tested against the bundled module's path or the frame's URL. */
const groups: [string, RegExp][] = [
  ["(idle)", /^\(idle\)$/],
  ["(garbage collector)", /^\(garbage collector\)$/],
  ["(program)", /^\(program\)$/],
  ["SigV4 signing", /signature-v4|@smithy\/util-hex|@aws-crypto\/sha256|crc32/],
  ["XML parsing", /fast-xml-parser|xml-builder|protocol-http.*xml|XmlShapeDeserializer/i],
  ["SDK middleware and serde", /@smithy\/|@aws-sdk\//],
  ["SQLite", /better-sqlite3|ledger\/sqlite|queue\/sqlite/],
  ["logging", /pino|sonic-boom|quick-format|fast-redact|@pinojs/],
  ["HTTP (node)", /^node:(_http|http|https|net|tls|stream|internal\/(streams|http|net|stream_base|dns))/],
  ["crypto (MD5, hashes)", /^node:(crypto|internal\/crypto)/],
  ["other node internals", /^node:/],
  ["engine: transfer", /worker\/src\/transfer\//],
  ["engine: s3 read path", /worker\/src\/s3\//],
  ["engine: queue, ledger, runner", /worker\/src\/(queue|ledger|runner)\//],
  ["engine: compare, send", /worker\/src\/(compare|send)\//],
  ["engine: other", /worker\/src\//],
  ["other dependencies", /node_modules\//],
];

/** For each bundle file, the line where each bundled module starts. */
const moduleStarts = new Map<string, { line: number; path: string }[]>();
function moduleOf(url: string, line: number): string {
  if (!url.startsWith("file://")) return url;
  let starts = moduleStarts.get(url);
  if (starts === undefined) {
    starts = [];
    const lines = readFileSync(fileURLToPath(url), "utf8").split("\n");
    lines.forEach((text, i) => {
      if (text.startsWith("// ") && /^\/\/ [\w@./-]+\.(m?[jt]s|json)$/.test(text))
        starts?.push({ line: i, path: text.slice(3) });
    });
    moduleStarts.set(url, starts);
  }
  let found = url;
  for (const s of starts) {
    if (s.line > line) break;
    found = s.path;
  }
  return found;
}

function groupOf(frame: CallFrame): string {
  if (frame.url === "") return frame.functionName.startsWith("(") ? frame.functionName : "(native)";
  const where = frame.url.startsWith("node:") ? frame.url : moduleOf(frame.url, frame.lineNumber);
  for (const [name, re] of groups) if (re.test(where)) return name;
  return where;
}

const argv = process.argv.slice(2);
let top = 0;
const topAt = argv.indexOf("--top");
if (topAt >= 0) {
  top = Number(argv[topAt + 1]);
  if (!Number.isSafeInteger(top) || top < 1) throw new Error("--top needs a whole number >= 1");
  argv.splice(topAt, 2);
}
const files = argv;
const frameName = (f: CallFrame) =>
  `${f.functionName || "(anonymous)"} (${f.url.startsWith("node:") || f.url === "" ? f.url : moduleOf(f.url, f.lineNumber)}:${f.lineNumber + 1})`;
const printTop = (title: string, m: Map<string, number>, busy: number) => {
  process.stdout.write(`\n${title}\n| function (module:line) | s | share of busy |\n|---|---:|---:|\n`);
  for (const [name, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`| ${name} | ${(us / 1e6).toFixed(2)} | ${((100 * us) / busy).toFixed(1)} % |\n`);
  }
};
if (files.length === 0) {
  process.stderr.write("usage: tsx bench/profile-summary.ts PROFILE.cpuprofile...\n");
  process.exit(2);
}
for (const file of files) {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, number>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const underEngine = new Map<string, number>();
  const engineFrame = (id: number): string => {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const f = (byNode.get(at) as ProfileNode).callFrame;
      if (f.url.startsWith("file://") && moduleOf(f.url, f.lineNumber).startsWith("worker/src/"))
        return frameName(f);
    }
    return "(no engine frame)";
  };
  let all = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    const node = byNode.get(id);
    if (node === undefined) return;
    const g = groupOf(node.callFrame);
    totals.set(g, (totals.get(g) ?? 0) + us);
    all += us;
    if (top > 0 && node.callFrame.functionName !== "(idle)") {
      const name = frameName(node.callFrame);
      self.set(name, (self.get(name) ?? 0) + us);
      const e = engineFrame(id);
      underEngine.set(e, (underEngine.get(e) ?? 0) + us);
    }
  });
  const busy = all - (totals.get("(idle)") ?? 0);
  process.stdout.write(`\n${file}: ${(all / 1e6).toFixed(2)} s sampled, ${(busy / 1e6).toFixed(2)} s busy\n`);
  process.stdout.write("| where | s | share of busy |\n|---|---:|---:|\n");
  for (const [g, us] of [...totals].sort((a, b) => b[1] - a[1])) {
    if (g === "(idle)") continue;
    process.stdout.write(`| ${g} | ${(us / 1e6).toFixed(2)} | ${((100 * us) / busy).toFixed(1)} % |\n`);
  }
  if (top > 0) {
    printTop("Self time by function:", self, busy);
    printTop("Time under each engine function (innermost worker/src frame on the stack):", underEngine, busy);
  }
}
