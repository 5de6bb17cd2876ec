import { InvalidArgumentError } from "commander";
import { decimalWholeNumber } from "../whole-number.js";

/**
 * Parsers for flag values, one per kind of value, shared by every command so that a flag
 * means the same thing everywhere. Each one is a commander argument parser: a bad value
 * throws `InvalidArgumentError`, which commander reports as a usage error (exit 2) naming
 * the flag; messages speak in the flag's own unit.
 */

/** Largest part S3 accepts, and the largest single PUT: 5 GiB, in MiB. */
export const maxPartMiB = 5 * 1024;

/** Bounds of a whole-number flag. */
export interface WholeNumberBounds {
  /** @defaultValue 1 */
  min?: number;
  /** @defaultValue Number.MAX_SAFE_INTEGER */
  max?: number;
  /** Unit named in messages, e.g. "MiB" or "seconds". @defaultValue none */
  unit?: string;
}

/** Parses a whole number within bounds, e.g. `--parts 16`. */
export function parseWholeNumber(raw: string, bounds: WholeNumberBounds = {}): number {
  const min = bounds.min ?? 1;
  const max = bounds.max ?? Number.MAX_SAFE_INTEGER;
  const unit = bounds.unit === undefined ? "" : ` ${bounds.unit}`;
  const n = decimalWholeNumber(raw);
  if (n === undefined) throw new InvalidArgumentError(`expected a whole number${unit}, like ${min}`);
  if (n < min) throw new InvalidArgumentError(`must be at least ${min}${unit}`);
  if (n > max) throw new InvalidArgumentError(`must be at most ${max}${unit}`);
  return n;
}

/** A commander parser for a whole-number flag. */
export const wholeNumber =
  (bounds: WholeNumberBounds = {}) =>
  (raw: string): number =>
    parseWholeNumber(raw, bounds);

/**
 * A commander parser for a size flag given in MiB, returning MiB (callers multiply); the
 * bounds are in MiB too, so `--part-size 6000` is answered in MiB, not in bytes.
 */
export const mebibytes = (bounds: Omit<WholeNumberBounds, "unit"> = {}) =>
  wholeNumber({ ...bounds, unit: "MiB" });

/** A commander parser for a positive decimal number such as `--throughput 12.5`. */
export function positiveDecimal(raw: string): number {
  const n = /^[0-9]+(\.[0-9]+)?$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("expected a positive number, like 100");
  return n;
}

/**
 * A commander parser for an endpoint URL: absolute, `http:` or `https:`, with a host and
 * nothing after the path (no query, fragment or credentials).
 */
export function endpointUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InvalidArgumentError("expected an absolute URL such as https://s3.cn-north-1.amazonaws.com.cn");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new InvalidArgumentError(`expected an http: or https: URL, got ${url.protocol}`);
  if (url.username !== "" || url.password !== "")
    throw new InvalidArgumentError("an endpoint URL must not carry credentials");
  if (url.search !== "" || url.hash !== "")
    throw new InvalidArgumentError("an endpoint URL has no query or fragment");
  return raw;
}
