/**
 * Bandwidth figures as a migration file writes them: `200MB/s`, `50 MiB/s`, `400Mbit/s`,
 * or `unlimited`. Parsed by hand, character by character, so no input can make the parser
 * backtrack; the schema bounds the text's length before it gets here.
 */

/** Bytes per second for each unit a rate may be written in (decimal, binary, and bits for links). */
const units: Readonly<Record<string, number>> = {
  "B/s": 1,
  "kB/s": 1e3,
  "KB/s": 1e3,
  "MB/s": 1e6,
  "GB/s": 1e9,
  "KiB/s": 1024,
  "MiB/s": 1024 ** 2,
  "GiB/s": 1024 ** 3,
  "kbit/s": 1e3 / 8,
  "Mbit/s": 1e6 / 8,
  "Gbit/s": 1e9 / 8,
};

export const rateUnits: readonly string[] = Object.keys(units);

/** The smallest limit accepted: below it one 5 MiB part takes longer than a minute and a half. */
export const minimumRate = 64 * 1024;
/** The largest limit accepted (a figure beyond it is a typo, not a link). */
export const maximumRate = 1e12;

/** The longest rate text read (`1234567.125 Gbit/s` is 18). */
export const maxRateText = 32;

/** A parsed rate: bytes per second, or `undefined` for `unlimited`. */
export type RateResult = { ok: true; bytesPerSecond: number | undefined } | { ok: false; message: string };

const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";

/**
 * Parses `text` as a rate. Numbers are plain decimals (at most three decimal places, no sign
 * or exponent); the unit is case-sensitive, since `mb` would be millibits.
 */
export function parseRate(text: string): RateResult {
  const fail = (why: string): RateResult => ({
    ok: false,
    message: `'${text.slice(0, maxRateText)}' is not a bandwidth: ${why}; write e.g. 200MB/s, 50MiB/s, 400Mbit/s or unlimited`,
  });
  if (text.length > maxRateText) return fail(`longer than ${maxRateText} characters`);
  if (text === "unlimited") return { ok: true, bytesPerSecond: undefined };
  let i = 0;
  while (isDigit(text[i])) i++;
  const whole = text.slice(0, i);
  if (whole.length === 0) return fail("it must start with a number");
  let fraction = "";
  if (text[i] === ".") {
    const start = ++i;
    while (isDigit(text[i])) i++;
    fraction = text.slice(start, i);
    if (fraction.length === 0 || fraction.length > 3) return fail("write at most three decimal places");
  }
  if (text[i] === " ") i++;
  const unit = text.slice(i);
  const scale = units[unit];
  if (scale === undefined || !Object.hasOwn(units, unit)) {
    return fail(`unknown unit '${unit}' (one of ${rateUnits.join(", ")})`);
  }
  if (whole.length > 13) return fail("the number is too large");
  const value = Number(fraction === "" ? whole : `${whole}.${fraction}`) * scale;
  if (value < minimumRate) return fail(`it is below the smallest limit, 64 KiB/s`);
  if (value > maximumRate) return fail(`it is above the largest limit, 1000 GB/s`);
  return { ok: true, bytesPerSecond: value };
}

/** `50 MB/s`, `1.5 GB/s`: decimal units, as links are sold; for the plan and logs. */
export function formatRateDecimal(bytesPerSecond: number): string {
  const steps: [number, string][] = [
    [1e9, "GB/s"],
    [1e6, "MB/s"],
    [1e3, "kB/s"],
  ];
  for (const [size, unit] of steps) {
    if (bytesPerSecond >= size) {
      const v = bytesPerSecond / size;
      return `${Number.isInteger(v) ? v : v.toFixed(1)} ${unit}`;
    }
  }
  return `${Math.round(bytesPerSecond)} B/s`;
}
