/**
 * @module Cron schedules as robfig/cron's ParseStandard and Next compute them (what the CronJob
 * controller uses): five fields or a descriptor, an optional TZ=/CRON_TZ= zone, @every durations.
 * Validation (and its error texts) is src/api/validation/cron.ts; this adds the times.
 */
import { cronScheduleError } from '../../api/validation/cron.js';

/** A parsed schedule: `next(t)` is the first activation strictly after t (ms), or undefined within 5 years. */
export interface Schedule { next(afterMs: number): number | undefined }

interface Field { min: number; max: number; names?: Record<string, number> }
const monthNames = Object.fromEntries(['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'].map((m, i) => [m, i + 1]));
const dayNames = Object.fromEntries(['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((d, i) => [d, i]));
const FIELDS: Field[] = [{ min: 0, max: 59 }, { min: 0, max: 23 }, { min: 1, max: 31 }, { min: 1, max: 12, names: monthNames }, { min: 0, max: 6, names: dayNames }];
const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *',
};

/** The values a field allows, and whether it was a bare `*`/`?` (robfig's starBit, which changes day matching). */
interface Bits { values: Set<number>; star: boolean }

/** Parses a valid field expression (validated beforehand, so no error handling here). */
function parseField(expr: string, f: Field): Bits {
  const values = new Set<number>();
  let star = false;
  for (const part of expr.split(',').filter(Boolean)) {
    const [range, stepStr] = part.split('/');
    const lowHigh = range!.split('-');
    const named = (s: string) => f.names?.[s.toLowerCase()] ?? Number(s);
    let start: number, end: number;
    let isStar = false;
    if (lowHigh[0] === '*' || lowHigh[0] === '?') {
      start = f.min; end = f.max; isStar = true;
    } else {
      start = named(lowHigh[0]!);
      end = lowHigh.length === 2 ? named(lowHigh[1]!) : start;
    }
    let step = 1;
    if (stepStr !== undefined) {
      step = Number(stepStr);
      if (lowHigh.length === 1) end = f.max;
      if (step > 1) isStar = false;
    }
    if (isStar) star = true;
    for (let v = start; v <= end; v += step) values.add(v);
  }
  return { values, star };
}

/**
 * ParseStandard: throws an Error with robfig's message for an invalid spec, and for an unknown
 * time zone ("provided bad location X: unknown time zone X").
 */
export function parseSchedule(spec: string): Schedule {
  const err = cronScheduleError(spec);
  if (err) throw new Error(err);
  let s = spec.trim();
  let zone = 'UTC';
  if (s.startsWith('TZ=') || s.startsWith('CRON_TZ=')) {
    const i = s.indexOf(' ');
    zone = s.slice(s.indexOf('=') + 1, i);
    s = s.slice(i + 1).trim();
  }
  const tz = timeZone(zone);
  if (s.startsWith('@every ')) return everySchedule(goDurationMs(s.slice('@every '.length)));
  const fields = (DESCRIPTORS[s] ?? s).split(/\s+/).filter(Boolean);
  const [minute, hour, dom, month, dow] = fields.map((e, i) => parseField(e, FIELDS[i]!)) as [Bits, Bits, Bits, Bits, Bits];
  return { next: (after) => specNext({ minute, hour, dom, month, dow }, tz, after) };
}

/** ConstantDelaySchedule: at least a second, whole seconds, from the start of the second. */
function everySchedule(delayMs: number): Schedule {
  const d = delayMs < 1000 ? 1000 : delayMs - (delayMs % 1000);
  return { next: (after) => after - (after % 1000) + d };
}

/** A zone's UTC offset (ms) at an instant; fixed zones ignore the instant. */
export interface TimeZone { name: string; offsetMs(instantMs: number): number }

/** time.LoadLocation for IANA names ("" and "UTC" are UTC); throws Go's message for an unknown zone. */
export function timeZone(name: string): TimeZone {
  if (name === '' || name === 'UTC') return { name: 'UTC', offsetMs: () => 0 };
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat('en-US', { timeZone: name, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric' });
  } catch {
    throw new Error(`provided bad location ${name}: unknown time zone ${name}`);
  }
  return {
    name,
    offsetMs(instant) {
      const p = Object.fromEntries(fmt.formatToParts(new Date(instant)).map((x) => [x.type, x.value]));
      const wall = Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!, +p.second!);
      return wall - (instant - (((instant % 1000) + 1000) % 1000));
    },
  };
}

interface Spec { minute: Bits; hour: Bits; dom: Bits; month: Bits; dow: Bits }

/**
 * SpecSchedule.Next on wall-clock time in the zone (kept as UTC fields of a Date): the first
 * matching second after `after`, searching at most five years ahead.
 */
function specNext(s: Spec, tz: TimeZone, after: number): number | undefined {
  const wallStart = after + tz.offsetMs(after);
  const t = new Date(wallStart - (((wallStart % 1000) + 1000) % 1000) + 1000);
  const yearLimit = t.getUTCFullYear() + 5;
  let added = false;
  const truncate = (unit: 'month' | 'day' | 'hour' | 'minute' | 'second') => {
    if (added) return;
    added = true;
    if (unit === 'month') t.setUTCDate(1);
    if (unit === 'month' || unit === 'day') t.setUTCHours(0);
    if (unit !== 'minute' && unit !== 'second') t.setUTCMinutes(0);
    t.setUTCSeconds(0, 0);
  };
  wrap: for (;;) {
    if (t.getUTCFullYear() > yearLimit) return undefined;
    while (!s.month.values.has(t.getUTCMonth() + 1)) {
      truncate('month');
      t.setUTCMonth(t.getUTCMonth() + 1);
      if (t.getUTCMonth() === 0) continue wrap;
    }
    while (!dayMatches(s, t)) {
      truncate('day');
      t.setUTCDate(t.getUTCDate() + 1);
      if (t.getUTCDate() === 1) continue wrap;
    }
    while (!s.hour.values.has(t.getUTCHours())) {
      truncate('hour');
      t.setUTCHours(t.getUTCHours() + 1);
      if (t.getUTCHours() === 0) continue wrap;
    }
    while (!s.minute.values.has(t.getUTCMinutes())) {
      truncate('minute');
      t.setUTCMinutes(t.getUTCMinutes() + 1);
      if (t.getUTCMinutes() === 0) continue wrap;
    }
    // The standard parser's seconds field is 0.
    if (t.getUTCSeconds() !== 0) {
      truncate('second');
      t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
      continue wrap;
    }
    const wall = t.getTime();
    // Wall time back to an instant: the offset at the instant, found in two steps (enough outside DST gaps).
    return wall - tz.offsetMs(wall - tz.offsetMs(wall));
  }
}

/** robfig's dayMatches: with a `*` in day-of-month or day-of-week both must match, else either. */
function dayMatches(s: Spec, t: Date): boolean {
  const domMatch = s.dom.values.has(t.getUTCDate());
  const dowMatch = s.dow.values.has(t.getUTCDay());
  return s.dom.star || s.dow.star ? domMatch && dowMatch : domMatch || dowMatch;
}

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** time.ParseDuration for a duration the validator accepted. */
function goDurationMs(d: string): number {
  const sign = d.startsWith('-') ? -1 : 1;
  let total = 0;
  for (const m of d.replace(/^[-+]/, '').matchAll(/([0-9]*\.?[0-9]*)(ns|us|µs|μs|ms|s|m|h)/g)) total += Number(m[1]) * UNIT_MS[m[2]!]!;
  return sign * total;
}
