import { formatRateDecimal, parseRate } from "./rate.js";

/** A day of the week as a schedule names it. */
export type DayName = "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun";

/** Days a window applies on: a list, or one of the usual groups. */
export type DaySet = DayName[] | "weekdays" | "weekend" | "daily";

/** One window of a schedule as written: on `days`, from `from` to `to` local time, at `bandwidth`. */
export interface BandwidthWindowFile {
  days: DaySet;
  /** `HH:MM`, 24-hour clock. */
  from: string;
  /** `HH:MM`; `24:00` for midnight at the end of the day; earlier than `from` runs past midnight. */
  to: string;
  /** A rate (`50MB/s`) or `unlimited`. */
  bandwidth: string;
}

/** A weekly schedule of limits in one IANA time zone (`Asia/Shanghai`). */
export interface BandwidthScheduleFile {
  timeZone: string;
  windows: BandwidthWindowFile[];
}

/** The bandwidth fields of a migration's `limits`, as written. */
export interface BandwidthLimitsFile {
  /** The fleet-wide limit outside every window; absent or `unlimited` for none. */
  bandwidth?: string;
  bandwidthSchedule?: BandwidthScheduleFile;
}

/**
 * {@link BandwidthLimitsFile} as the checks may read it from a file not yet schema-valid: a
 * window whose shape is broken is `undefined` (the schema reports it), so the others keep
 * their indices.
 */
export interface BandwidthLimitsDraft {
  bandwidth?: string | undefined;
  bandwidthSchedule?:
    | { timeZone: string | undefined; windows: readonly (BandwidthWindowFile | undefined)[] }
    | undefined;
}

/** A problem with a bandwidth field, at a path relative to `limits`. */
export interface BandwidthProblem {
  path: (string | number)[];
  message: string;
}

export const dayNames: readonly DayName[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const dayGroups: Readonly<Record<string, readonly DayName[]>> = {
  weekdays: ["mon", "tue", "wed", "thu", "fri"],
  weekend: ["sat", "sun"],
  daily: dayNames,
};

const minutesPerDay = 24 * 60;
export const minutesPerWeek = 7 * minutesPerDay;

/** `HH:MM` as minutes since midnight; `24:00` only where `endOfDay` allows it. */
function minuteOfDay(text: string, endOfDay: boolean): number | undefined {
  if (text.length !== 5 || text[2] !== ":") return undefined;
  const digits = [0, 1, 3, 4].map((i) => text.charCodeAt(i) - 48);
  if (digits.some((d) => d < 0 || d > 9)) return undefined;
  const [h1, h2, m1, m2] = digits as [number, number, number, number];
  const hours = h1 * 10 + h2;
  const minutes = m1 * 10 + m2;
  if (minutes > 59) return undefined;
  if (hours === 24 && minutes === 0 && endOfDay) return minutesPerDay;
  return hours > 23 ? undefined : hours * 60 + minutes;
}

/**
 * An IANA zone name exactly as the runtime knows it. Offsets (`+08:00`) and abbreviations
 * (`EST`, which the runtime maps to some zone without its daylight saving) are refused: a
 * schedule in business hours must follow the zone's own clock changes.
 */
export function timeZoneProblem(zone: string): string | undefined {
  const hint = "name an IANA time zone such as Asia/Shanghai, Europe/Berlin or UTC";
  if (zone.startsWith("+") || zone.startsWith("-")) return `'${zone}' is an offset, not a time zone: ${hint}`;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat("en-US", { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return `unknown time zone '${zone}': ${hint}`;
  }
  if (resolved === zone) return undefined;
  if (resolved.toLowerCase() === zone.toLowerCase()) return `time zone '${zone}' is written '${resolved}'`;
  return `'${zone}' is an abbreviation, not a time zone (the runtime reads it as ${resolved}): ${hint}`;
}

/** One stretch of the week, in minutes since Monday 00:00 local time, [start, end). */
export interface WeekSegment {
  start: number;
  end: number;
  /** Bytes per second, or `undefined` for unlimited. */
  rate: number | undefined;
  /** Index of the window it came from. */
  window: number;
}

const clock = (m: number) =>
  `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
const at = (m: number) => `${dayNames[Math.floor(m / minutesPerDay) % 7]} ${clock(m % minutesPerDay)}`;

/**
 * The limits a migration sets, compiled: its base figure and its schedule's windows as
 * segments of the week. `limitAt` answers for any instant, following the zone's daylight
 * saving changes (local wall-clock time decides, as business hours do).
 */
export class BandwidthLimit {
  readonly #format: Intl.DateTimeFormat | undefined;
  #cachedMinute = Number.NaN;
  #cachedLimit: number | undefined;

  constructor(
    /** Bytes per second outside every window; `undefined` for unlimited. */
    readonly base: number | undefined,
    readonly timeZone: string | undefined,
    /** Sorted by start, not overlapping, each within one week. */
    readonly segments: readonly WeekSegment[],
    private readonly text: string,
  ) {
    this.#format =
      timeZone === undefined
        ? undefined
        : new Intl.DateTimeFormat("en-US", {
            timeZone,
            weekday: "short",
            hour: "2-digit",
            minute: "2-digit",
            hourCycle: "h23",
          });
  }

  /** True when the limit is never anything but unlimited. */
  get unlimited(): boolean {
    return this.base === undefined && this.segments.every((s) => s.rate === undefined);
  }

  /** Minutes since Monday 00:00 in the schedule's zone at `ms`. */
  minuteOfWeek(ms: number): number {
    if (this.#format === undefined) return 0;
    let day = 0;
    let hour = 0;
    let minute = 0;
    for (const p of this.#format.formatToParts(ms)) {
      if (p.type === "weekday") day = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(p.value);
      else if (p.type === "hour") hour = Number(p.value);
      else if (p.type === "minute") minute = Number(p.value);
    }
    return day * minutesPerDay + hour * 60 + minute;
  }

  #segmentAt(minute: number): WeekSegment | undefined {
    for (const s of this.segments) if (s.start <= minute && minute < s.end) return s;
    return undefined;
  }

  /** The fleet-wide limit at `ms` in bytes per second; `undefined` for unlimited. */
  limitAt(ms: number): number | undefined {
    if (this.segments.length === 0) return this.base;
    // every zone's offset is whole minutes, so the answer holds for the whole minute
    const m = Math.floor(ms / 60_000);
    if (m !== this.#cachedMinute) {
      const s = this.#segmentAt(this.minuteOfWeek(ms));
      this.#cachedLimit = s === undefined ? this.base : s.rate;
      this.#cachedMinute = m;
    }
    return this.#cachedLimit;
  }

  /** Minutes from local minute-of-week `m` to the next start or end of a segment (at most a week). */
  #minutesToNextChange(m: number): number {
    let best = minutesPerWeek;
    for (const s of this.segments) {
      for (const edge of [s.start, s.end]) {
        const d = (edge - m + minutesPerWeek) % minutesPerWeek;
        if (d > 0 && d < best) best = d;
      }
    }
    return best;
  }

  /**
   * Seconds to move `bytes` starting at `startMs` when the fleet moves `throughput` bytes
   * per second unless the limit is lower. Walks the schedule segment by segment and skips
   * whole weeks once one week's bytes are known, so any size costs a few hundred steps.
   */
  secondsToMove(bytes: number, throughput: number, startMs: number): number {
    const rateAt = (ms: number) => Math.min(throughput, this.limitAt(ms) ?? Number.POSITIVE_INFINITY);
    if (this.segments.length === 0) return bytes / rateAt(startMs);
    let left = bytes;
    let t = startMs;
    let weekBytes = 0;
    let skipped = false;
    const weekEnd = startMs + minutesPerWeek * 60_000;
    while (left > 0) {
      const rate = rateAt(t);
      // re-read at least hourly: a daylight saving change moves the next edge by up to an hour
      const step = Math.min(this.#minutesToNextChange(this.minuteOfWeek(t)), 60) * 60_000;
      const moved = (rate * step) / 1000;
      if (moved >= left) return (t - startMs) / 1000 + left / rate;
      left -= moved;
      // a weekly pattern moves the same bytes in any span of a week: measure the first
      if (!skipped) weekBytes += (rate * (Math.min(t + step, weekEnd) - t)) / 1000;
      t += step;
      if (!skipped && t >= weekEnd && weekBytes > 0) {
        skipped = true;
        const weeks = Math.floor(left / weekBytes);
        left -= weeks * weekBytes;
        t += weeks * minutesPerWeek * 60_000;
      }
    }
    return (t - startMs) / 1000;
  }

  /** `50 MB/s fleet-wide; mon-fri 09:00–18:00 Asia/Shanghai: 20 MB/s` as the file says it. */
  describe(): string {
    return this.text;
  }
}

/** At most 16 characters of a value quoted in a message (the file's text is untrusted and unbounded). */
const clip = (text: string) => (text.length > 16 ? `${text.slice(0, 16)}…` : text);

const daysOf = (d: DaySet): readonly DayName[] => (typeof d === "string" ? (dayGroups[d] ?? []) : d);

function daysText(d: DaySet): string {
  return typeof d === "string" ? d : d.join(",");
}

/**
 * Checks and compiles the bandwidth fields of `limits`. Returns the problems (paths relative
 * to `limits`) and, when there are none, the compiled limit; `undefined` limit when the
 * migration sets no bandwidth at all. The input must be schema-valid in shape.
 */
export function compileBandwidth(limits: BandwidthLimitsDraft): {
  problems: BandwidthProblem[];
  limit: BandwidthLimit | undefined;
} {
  const problems: BandwidthProblem[] = [];
  let base: number | undefined;
  if (limits.bandwidth !== undefined) {
    const r = parseRate(limits.bandwidth);
    if (r.ok) base = r.bytesPerSecond;
    else problems.push({ path: ["bandwidth"], message: r.message });
  }
  const schedule = limits.bandwidthSchedule;
  const segments: WeekSegment[] = [];
  const texts: string[] = [];
  if (schedule !== undefined) {
    const zoneBad = schedule.timeZone === undefined ? undefined : timeZoneProblem(schedule.timeZone);
    if (zoneBad) problems.push({ path: ["bandwidthSchedule", "timeZone"], message: zoneBad });
    schedule.windows.forEach((w, i) => {
      if (w === undefined) return;
      const path = ["bandwidthSchedule", "windows", i];
      const from = minuteOfDay(w.from, false);
      const to = minuteOfDay(w.to, true);
      if (from === undefined)
        problems.push({
          path: [...path, "from"],
          message: `'${clip(w.from)}' is not a time of day: write HH:MM, e.g. 09:00`,
        });
      if (to === undefined)
        problems.push({
          path: [...path, "to"],
          message: `'${clip(w.to)}' is not a time of day: write HH:MM, e.g. 18:00 (24:00 for the end of the day)`,
        });
      if (from !== undefined && to !== undefined && from === to % minutesPerDay && to !== minutesPerDay) {
        problems.push({ path: [...path, "to"], message: `the window from ${w.from} to ${w.to} is empty` });
      }
      const rate = parseRate(w.bandwidth);
      if (!rate.ok) problems.push({ path: [...path, "bandwidth"], message: rate.message });
      const days = daysOf(w.days);
      const seen = new Set<DayName>();
      for (const d of days) {
        if (seen.has(d)) problems.push({ path: [...path, "days"], message: `day '${d}' is listed twice` });
        seen.add(d);
      }
      if (from === undefined || to === undefined || from === to || !rate.ok) return;
      texts.push(
        `${daysText(w.days)} ${w.from}–${w.to}: ${rate.bytesPerSecond === undefined ? "unlimited" : formatRateDecimal(rate.bytesPerSecond)}`,
      );
      const length = to > from ? to - from : minutesPerDay - from + to;
      for (const d of seen) {
        const start = dayNames.indexOf(d) * minutesPerDay + from;
        const end = start + length;
        const add = (s: number, e: number) =>
          segments.push({ start: s, end: e, rate: rate.bytesPerSecond, window: i });
        if (end <= minutesPerWeek) add(start, end);
        else {
          // past Sunday midnight: the rest is the start of the week
          add(start, minutesPerWeek);
          add(0, end - minutesPerWeek);
        }
      }
    });
    segments.sort((a, b) => a.start - b.start || a.end - b.end);
    const reported = new Set<string>();
    // sorted by start: a segment overlaps an earlier one exactly when it starts before the
    // furthest end reached so far
    let reach: WeekSegment | undefined;
    for (const cur of segments) {
      if (reach !== undefined && cur.start < reach.end) {
        const [a, b] = [Math.min(cur.window, reach.window), Math.max(cur.window, reach.window)];
        const key = `${a}/${b}`;
        if (!reported.has(key)) {
          reported.add(key);
          problems.push({
            path: ["bandwidthSchedule", "windows", b],
            message: `window overlaps windows[${a}] at ${at(cur.start)}: windows of one schedule must not overlap`,
          });
        }
      }
      if (reach === undefined || cur.end > reach.end) reach = cur;
    }
  }
  const broken =
    schedule !== undefined && (schedule.timeZone === undefined || schedule.windows.includes(undefined));
  if (problems.length > 0 || broken) return { problems, limit: undefined };
  if (limits.bandwidth === undefined && schedule === undefined) return { problems, limit: undefined };
  const baseText = base === undefined ? "unlimited" : formatRateDecimal(base);
  const text =
    schedule === undefined || texts.length === 0
      ? baseText
      : `${texts.join("; ")} (${schedule.timeZone}); otherwise ${baseText}`;
  return {
    problems,
    limit: new BandwidthLimit(base, schedule?.timeZone, segments, text),
  };
}
