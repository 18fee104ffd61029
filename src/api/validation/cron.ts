/**
 * @module Cron schedule parsing as robfig/cron's ParseStandard, which CronJob validation uses: five
 * fields or a descriptor (@hourly, @every 1h30m, …), with the same error texts.
 */

interface Bounds { min: number; max: number; names?: Record<string, number> }

const months = Object.fromEntries(['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'].map((m, i) => [m, i + 1]));
const days = Object.fromEntries(['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((d, i) => [d, i]));
const fields: Bounds[] = [
  { min: 0, max: 59 }, { min: 0, max: 23 }, { min: 1, max: 31 }, { min: 1, max: 12, names: months }, { min: 0, max: 6, names: days },
];
const descriptors = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

function parseInt(expr: string): number {
  // Go's strconv.Atoi accepts an optional sign and decimal digits only.
  if (!/^[+-]?[0-9]+$/.test(expr)) throw new Error(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`);
  const n = Number(expr);
  if (n < 0) throw new Error(`negative number (${n}) not allowed: ${expr}`);
  return n;
}

function checkRange(expr: string, b: Bounds): void {
  const [range, stepStr, ...more] = expr.split('/');
  if (more.length) throw new Error(`too many slashes: ${expr}`);
  const lowHigh = range.split('-');
  let start: number, end: number;
  if (lowHigh[0] === '*' || lowHigh[0] === '?') {
    start = b.min; end = b.max;
  } else {
    const named = (s: string) => b.names?.[s.toLowerCase()] ?? parseInt(s);
    start = named(lowHigh[0]);
    if (lowHigh.length > 2) throw new Error(`too many hyphens: ${expr}`);
    end = lowHigh.length === 2 ? named(lowHigh[1]) : start;
  }
  let step = 1;
  if (stepStr !== undefined) {
    step = parseInt(stepStr);
    // "N/step" means "N-max/step".
    if (lowHigh.length === 1) end = b.max;
  }
  if (start < b.min) throw new Error(`beginning of range (${start}) below minimum (${b.min}): ${expr}`);
  if (end > b.max) throw new Error(`end of range (${end}) above maximum (${b.max}): ${expr}`);
  if (start > end) throw new Error(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new Error(`step of range should be a positive number: ${expr}`);
}

/** Go's time.ParseDuration grammar: a sequence of decimal numbers with units, or "0". */
const goDuration = /^[-+]?(0|(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$/;

/** Returns the parse error robfig/cron reports, or undefined when the schedule is valid. */
export function cronScheduleError(spec: string): string | undefined {
  if (!spec) return 'empty spec string';
  let s = spec;
  if (s.startsWith('TZ=') || s.startsWith('CRON_TZ=')) s = s.slice(s.indexOf(' ') + 1).trim();
  if (s.startsWith('@')) {
    if (descriptors.has(s)) return undefined;
    if (s.startsWith('@every ')) {
      const d = s.slice('@every '.length);
      return goDuration.test(d) ? undefined : `failed to parse duration ${s}: time: invalid duration ${JSON.stringify(d)}`;
    }
    return `unrecognized descriptor: ${s}`;
  }
  const parts = s.split(/\s+/).filter(Boolean);
  if (parts.length !== 5) return `expected exactly 5 fields, found ${parts.length}: [${parts.join(' ')}]`;
  try {
    parts.forEach((p, i) => p.split(',').filter(Boolean).forEach((r) => checkRange(r, fields[i])));
  } catch (e) {
    return (e as Error).message;
  }
  return undefined;
}
