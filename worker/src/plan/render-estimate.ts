import { formatBytes, formatCount, formatRate } from "../format/index.js";
import { escapeHtml, inlineCode } from "../markdown/index.js";
import { type CostEstimate, type CostLine, costItemLabel, type Money, perUnits } from "./estimate.js";

const inTable = { inTable: true };

// Currencies are written as their ISO codes, never `$`: GitHub reads `$…$` as math.

const amount = (v: number) =>
  v.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** Not nothing, yet nothing once rounded to cents. */
const underACent = (v: number) => v > 0 && v < 0.005;

/**
 * `USD 1.20`; `USD 0.11–0.12` when low and high differ once rounded; `under USD 0.01` and
 * `up to USD 0.02` where a cost rounds to nothing but is not nothing.
 */
export function formatMoney(m: Money): string {
  const c = m.currency;
  if (underACent(m.high)) return `under ${c} 0.01`;
  if (underACent(m.low)) return `up to ${c} ${amount(m.high)}`;
  const low = amount(m.low);
  const high = amount(m.high);
  return `${c} ${low === high ? low : `${low}–${high}`}`;
}

/** Sums in several currencies, `USD 0.12 + CNY 0.04`. */
export function formatMoneys(ms: readonly Money[]): string {
  return ms.length === 0 ? "none priced" : ms.map(formatMoney).join(" + ");
}

/** A unit price as published: `USD 0.005 per 1,000`, `CNY 0.933/GB`, `USD 0.0231–0.0672/h`. */
function unitPrice(l: CostLine): string {
  const v = (n: number) => String(Number(n.toPrecision(4)));
  const { low, high } = l.unitPrice;
  const price = `${l.cost.currency} ${low === high ? v(low) : `${v(low)}–${v(high)}`}`;
  const per = perUnits[l.item];
  if (l.item === "fleet") return `${price}/h`;
  if (per === 1) return l.item === "transfer-internet" ? `${price}/GB, less above 10 TB` : `${price}/GB`;
  return `${price} per ${per === 1000 ? "1,000" : "million"}`;
}

function quantity(l: CostLine): string {
  if (l.item === "fleet") return l.quantity < 0.005 ? "under 0.01 h" : `${l.quantity.toFixed(2)} h`;
  if (perUnits[l.item] === 1) return l.quantity < 0.005 ? "under 0.01 GB" : `${l.quantity.toFixed(2)} GB`;
  return formatCount(Math.round(l.quantity));
}

function item(l: CostLine): string {
  const label = costItemLabel(l.item);
  return l.storageClass === undefined ? label : `${label} (${inlineCode(l.storageClass, inTable)})`;
}

/** The partial-estimate mark of a sum: the estimate leaves something out. */
const partial = (e: CostEstimate) => (e.unpriced.length > 0 ? ", partly unpriced" : "");

/** What the summary line says beside the ETA. */
export function estimateSummary(e: CostEstimate): string {
  return `estimated cost ${formatMoneys(e.total)}${partial(e)}`;
}

function assumptions(e: CostEstimate): string[] {
  const b = e.basis;
  const f = b.fleet;
  const rules = b.partRules;
  const partSize =
    rules.partSize === undefined
      ? `${formatBytes(rules.minPartSize)} (grown for an object that would need more than 10,000)`
      : `${formatBytes(rules.partSize)} (fixed)`;
  const types = f.instanceTypes.map((t) => inlineCode(t)).join(", ");
  const od = f.onDemandPerHour;
  const spot = `${Math.round(b.spotShare.low * 100)}–${Math.round(b.spotShare.high * 100)} %`;
  const hours = e.lines.filter((l) => l.item === "fleet").reduce((sum, l) => sum + l.quantity, 0);
  const onDemand =
    od === undefined
      ? ""
      : ` (${formatMoney(od)}/h; on demand the fleet would cost ${formatMoney({ ...od, low: od.low * hours, high: od.high * hours })})`;
  return [
    `Prices: ${e.caveat} (\`worker/src/plan/prices.ts\`, which links each figure's page). AWS China prices are in CNY and not converted.`,
    `Each object to copy is copied once: no retries, no restarted uploads. Objects up to ${formatBytes(rules.multipartThreshold)} are one GET and one PUT; larger ones are cut as the engine cuts them, in parts of ${partSize}, each part one ranged GET and one UploadPart, plus a HEAD of each side, ListMultipartUploads, CreateMultipartUpload, CompleteMultipartUpload and GetObjectTagging when tags are copied. A source uploaded in parts is copied in its own parts, whose count the estimate does not know.`,
    "`send` lists both sides once more (one LIST per 1,000 keys, at least; more when the key space is split).",
    "Data transfer is billed by the source region: out to the internet between partitions (global ↔ China), to another region within one, nothing within a region (the stack's S3 gateway endpoint). GB = 2^30 bytes; volume tiers as if nothing else left the region that month; free tiers not deducted.",
    `Fleet: ${formatCount(f.instances)} instance${f.instances === 1 ? "" : "s"} in ${inlineCode(f.region)} for the ETA at ${formatRate(b.throughputBytesPerSecond)} (instance-hours = instances × ETA), of ${types}, on Spot at ${spot} of their on-demand price${onDemand}. Scaling time and idle capacity (\`minCapacity\`) not counted.`,
    `SQS: ${b.sqsRequestsPerObject} requests per object; DynamoDB: ${b.dynamoWriteUnitsPerObject} write request units per object (both from the README's measured ledger cost; heartbeats of long copies add SQS requests).`,
    "Not included: storage at the destination, retrieval fees of IA and Glacier sources, KMS requests, CloudWatch (dashboard, alarms, logs), the plan's own compares, taxes, discounts and Savings Plans.",
  ];
}

/** The estimate as a fold: the lines, the total, what is unpriced, and the assumptions. */
export function renderEstimate(e: CostEstimate): string {
  const lines = [
    `<details><summary>${escapeHtml(`Estimated cost: ${formatMoneys(e.total)}${partial(e)} (an estimate from list prices as of ${e.asOf})`)}</summary>`,
    "",
  ];
  if (e.lines.length > 0) {
    lines.push("| item | region | quantity | unit price | cost |", "| --- | --- | ---: | ---: | ---: |");
    for (const l of e.lines) {
      lines.push(
        `| ${item(l)} | ${inlineCode(l.region, inTable)} | ${quantity(l)} | ${unitPrice(l)} | ${formatMoney(l.cost)} |`,
      );
    }
    lines.push(`| **total** | | | | **${formatMoneys(e.total)}** |`, "");
  }
  if (e.unpriced.length > 0) {
    lines.push("Not priced (the total is a lower bound):", "");
    for (const u of e.unpriced) lines.push(`- ${inlineCode(u)}`);
    lines.push("");
  }
  lines.push("Assumptions:", "");
  for (const a of assumptions(e)) lines.push(`- ${a}`);
  lines.push("", "</details>");
  return lines.join("\n");
}
