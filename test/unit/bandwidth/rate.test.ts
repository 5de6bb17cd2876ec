import { describe, expect, it } from "vitest";
import { formatRateDecimal, parseRate } from "../../../worker/src/bandwidth/index.js";

const bps = (text: string) => {
  const r = parseRate(text);
  if (!r.ok) throw new Error(r.message);
  return r.bytesPerSecond;
};
const why = (text: string) => {
  const r = parseRate(text);
  if (r.ok) throw new Error(`'${text}' parsed`);
  return r.message;
};

describe("parseRate", () => {
  it("reads decimal, binary and bit units", () => {
    expect(bps("200MB/s")).toBe(200e6);
    expect(bps("50 MiB/s")).toBe(50 * 1024 * 1024);
    expect(bps("400Mbit/s")).toBe(50e6);
    expect(bps("1.5GB/s")).toBe(1.5e9);
    expect(bps("512KiB/s")).toBe(512 * 1024);
    expect(bps("2Gbit/s")).toBe(250e6);
    expect(bps("unlimited")).toBeUndefined();
  });

  it("refuses what is not a rate, saying why", () => {
    expect(why("200mb/s")).toMatch(/unknown unit 'mb\/s'/);
    expect(why("200MB")).toMatch(/unknown unit 'MB'/);
    expect(why("MB/s")).toMatch(/must start with a number/);
    expect(why("-5MB/s")).toMatch(/must start with a number/);
    expect(why("1e3MB/s")).toMatch(/unknown unit/);
    expect(why("1.MB/s")).toMatch(/decimal places/);
    expect(why("1.2345MB/s")).toMatch(/decimal places/);
    expect(why("0MB/s")).toMatch(/below the smallest limit/);
    expect(why("10KB/s")).toMatch(/below the smallest limit/);
    expect(why("5000GB/s")).toMatch(/above the largest limit/);
    expect(why("toString")).toMatch(/must start with a number/);
    expect(why("1 toString")).toMatch(/unknown unit/);
    expect(why("1  MB/s")).toMatch(/unknown unit/);
  });

  it("stays linear on long hostile input and quotes only its start", () => {
    const long = `${"9".repeat(100_000)}x`;
    const message = why(long);
    expect(message).toMatch(/longer than 32 characters/);
    expect(message.length).toBeLessThan(200);
  });

  it("formats rates in decimal units", () => {
    expect(formatRateDecimal(50e6)).toBe("50 MB/s");
    expect(formatRateDecimal(1.5e9)).toBe("1.5 GB/s");
    expect(formatRateDecimal(64 * 1024)).toBe("65.5 kB/s");
  });
});
