import { LongbowError } from "./errors.js";

/**
 * The one whole-number check of the engine: settings, options and flags all go through it,
 * so a value means the same thing everywhere and messages read alike.
 */

/**
 * Plain decimal digits only: no sign, exponent, fraction, hex (`0x10`), octal or binary
 * prefix, and no blanks, which `Number()` would all accept.
 */
const decimalDigits = /^[0-9]+$/;

/** The number written in plain decimal digits, or undefined (also beyond 2^53 - 1). */
export function decimalWholeNumber(raw: string): number | undefined {
  const n = decimalDigits.test(raw) ? Number(raw) : Number.NaN;
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * `value` when it is a whole number within [min, max]; otherwise throws the error `fail`
 * makes (a LongbowError "InvalidOption" by default) with a message naming `name`.
 */
export function requireWholeNumber(
  name: string,
  value: unknown,
  min: number,
  max: number = Number.MAX_SAFE_INTEGER,
  fail: (message: string) => Error = (message) => new LongbowError("InvalidOption", message),
): number {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= min && value <= max) return value;
  const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `between ${min} and ${max}`;
  throw fail(`${name} must be a whole number ${range}, got ${String(value)}`);
}
