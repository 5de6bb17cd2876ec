/**
 * Summarises V8 CPU profiles (`node --cpu-prof`, e.g. `npm run bench -- --node-args=...`)
 * of Longbow's built CLI by where the time went: each sample's function is placed in the
 * module esbuild bundled it from (the `// node_modules/...` and `// worker/src/...` lines
 * the bundle keeps), and modules are grouped (SDK middleware, signing, XML, HTTP, SQLite,
 * logging, engine...). Self time only, so the groups add up to the profile.
 *
 *   npx tsx bench/profile-summary.ts /tmp/prof/*.cpuprofile
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

const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write("usage: tsx bench/profile-summary.ts PROFILE.cpuprofile...\n");
  process.exit(2);
}
for (const file of files) {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    const node = byNode.get(id);
    if (node === undefined) return;
    const g = groupOf(node.callFrame);
    totals.set(g, (totals.get(g) ?? 0) + us);
    all += us;
  });
  const busy = all - (totals.get("(idle)") ?? 0);
  process.stdout.write(`\n${file}: ${(all / 1e6).toFixed(2)} s sampled, ${(busy / 1e6).toFixed(2)} s busy\n`);
  process.stdout.write("| where | s | share of busy |\n|---|---:|---:|\n");
  for (const [g, us] of [...totals].sort((a, b) => b[1] - a[1])) {
    if (g === "(idle)") continue;
    process.stdout.write(`| ${g} | ${(us / 1e6).toFixed(2)} | ${((100 * us) / busy).toFixed(1)} % |\n`);
  }
}
