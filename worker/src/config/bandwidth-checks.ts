import {
  type BandwidthLimitsDraft,
  type BandwidthWindowFile,
  compileBandwidth,
  type DaySet,
  dayNames,
} from "../bandwidth/index.js";
import { type Problem, problemAt } from "./problem.js";
import type { YamlSource } from "./yaml-source.js";

type Where = { file: string; source: YamlSource };

const isMap = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);
const str = (v: unknown): v is string => typeof v === "string" && v.length > 0;
const groups: readonly unknown[] = ["weekdays", "weekend", "daily"];
const days = (v: unknown): v is DaySet =>
  groups.includes(v) || (Array.isArray(v) && v.length > 0 && v.every((d) => dayNames.includes(d)));

/**
 * A window with the shape the schema asks for, else `undefined` (the schema says what is
 * wrong); broken days count as none, so its times and rate are still checked.
 */
function windowOf(v: unknown): BandwidthWindowFile | undefined {
  if (!isMap(v) || !str(v.from) || !str(v.to) || !str(v.bandwidth)) return undefined;
  return { days: days(v.days) ? v.days : [], from: v.from, to: v.to, bandwidth: v.bandwidth };
}

/**
 * The bandwidth fields of `limits` that the schema cannot judge: rates, times of day, the
 * time zone, windows that overlap. Reads the file's value directly, taking only fields of
 * the right type, so a broken field is reported once, by the schema.
 */
export function checkBandwidth(f: Where): Problem[] {
  const root = f.source.value;
  const limits = isMap(root) && isMap(root.limits) ? root.limits : undefined;
  if (limits === undefined) return [];
  const draft: BandwidthLimitsDraft = {};
  if (str(limits.bandwidth)) draft.bandwidth = limits.bandwidth;
  const s = limits.bandwidthSchedule;
  if (isMap(s) && Array.isArray(s.windows) && s.windows.length <= 50) {
    const zone = str(s.timeZone) && s.timeZone.length <= 64 ? s.timeZone : undefined;
    draft.bandwidthSchedule = { timeZone: zone, windows: s.windows.map(windowOf) };
  }
  return compileBandwidth(draft).problems.map((p) => problemAt(f, ["limits", ...p.path], p.message));
}
