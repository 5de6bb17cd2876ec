const units: Record<string, number> = {
  "": 1,
  B: 1,
  KIB: 1024,
  MIB: 1024 ** 2,
  GIB: 1024 ** 3,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
};

/** Parses `64KiB`, `256MiB`, `1GiB`, `5MB`, `0`; binary units are KiB/MiB/GiB. */
export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmg]i?b|b)?\s*$/i.exec(text);
  const factor = units[(m?.[2] ?? "").toUpperCase()];
  if (!m || factor === undefined) throw new Error(`not a size: '${text}' (use e.g. 64KiB, 256MiB, 1GiB)`);
  return Math.round(Number(m[1]) * factor);
}

/** `64 KiB`, `256 MiB`, `1 GiB`, `0 B`: the largest binary unit that divides evenly, else MiB with decimals. */
export function formatSize(bytes: number): string {
  for (const [unit, factor] of [
    ["GiB", 1024 ** 3],
    ["MiB", 1024 ** 2],
    ["KiB", 1024],
  ] as const) {
    if (bytes >= factor && bytes % factor === 0) return `${bytes / factor} ${unit}`;
  }
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}
