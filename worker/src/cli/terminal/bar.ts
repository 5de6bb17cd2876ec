/** A text progress bar of `width` cells for `fraction` (clamped to 0..1), as cli tools draw them. */
export function renderBar(fraction: number, width = 30): string {
  const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  const full = Math.round(f * width);
  return `${"█".repeat(full)}${"░".repeat(width - full)}`;
}

/** Whole percent of `done` in `total`, 100 when there is nothing to do. */
export function percent(done: number, total: number): number {
  return total > 0 ? Math.floor((Math.min(done, total) / total) * 100) : 100;
}
