/**
 * @module The CRI container log format and the kubelet's reading options: each file line is
 * `<RFC3339Nano time> <stdout|stderr> <tags> <text>`, the tag P marking a partial line the runtime
 * split (containerd at 16 KiB) that continues on the next file line, F a line's last part.
 */
import { badRequest } from './http-error.js';

export interface LogOptions {
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  /** Last N lines; undefined = all. */
  tailLines?: number;
  /** Only lines at or after this time (ms since the epoch, fractional). */
  sinceMs?: number;
  /** Stop after this many bytes of output. */
  limitBytes?: number;
}

/** Reads the options from the kubelet's query (what the API server sends); bad values throw 400. */
export function logOptionsFrom(q: URLSearchParams, now = Date.now()): LogOptions {
  const bool = (name: string) => {
    const v = q.get(name);
    return v === 'true' || v === '1';
  };
  const int = (name: string, min: number): number | undefined => {
    const v = q.get(name);
    if (v === null || v === '') return undefined;
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < min) throw badRequest(`invalid ${name} "${v}": must be an integer >= ${min}`);
    return n;
  };
  const opts: LogOptions = { follow: bool('follow'), previous: bool('previous'), timestamps: bool('timestamps') };
  const tail = int('tailLines', 0);
  if (tail !== undefined) opts.tailLines = tail;
  const limit = int('limitBytes', 1);
  if (limit !== undefined) opts.limitBytes = limit;
  const sinceSeconds = int('sinceSeconds', 1);
  const sinceTime = q.get('sinceTime');
  if (sinceSeconds !== undefined && sinceTime) throw badRequest('at most one of `sinceTime` or `sinceSeconds` may be specified');
  if (sinceSeconds !== undefined) opts.sinceMs = now - sinceSeconds * 1000;
  if (sinceTime) {
    const t = parseTimestamp(sinceTime);
    if (t === undefined) throw badRequest(`invalid sinceTime "${sinceTime}": want RFC 3339, e.g. 2024-01-02T15:04:05Z`);
    opts.sinceMs = t.ms;
  }
  return opts;
}

export interface Timestamp {
  /** Milliseconds since the epoch, with the sub-millisecond part as a fraction. */
  ms: number;
  /** RFC3339 with exactly nine fraction digits, as the kubelet prints with --timestamps. */
  fixed: string;
}

const TS = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/;

export function parseTimestamp(s: string): Timestamp | undefined {
  const m = TS.exec(s);
  if (!m) return undefined;
  const whole = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(whole)) return undefined;
  const frac = (m[2] ?? '').padEnd(9, '0');
  // Go prints a zero offset as Z.
  const zone = m[3] === '+00:00' || m[3] === '-00:00' ? 'Z' : m[3];
  return { ms: whole + Number(frac) / 1e6, fixed: `${m[1]}.${frac}${zone}` };
}

export interface LogLine {
  /** The time field as written. */
  time: string;
  stream: 'stdout' | 'stderr';
  partial: boolean;
  /** The text without the line's newline. */
  text: Buffer;
}

/** One file line (without its newline), or undefined when it is not CRI format (skipped, as the kubelet does). */
export function parseLogLine(line: Buffer): LogLine | undefined {
  const s1 = line.indexOf(0x20);
  if (s1 <= 0) return undefined;
  const s2 = line.indexOf(0x20, s1 + 1);
  if (s2 < 0) return undefined;
  const stream = line.toString('latin1', s1 + 1, s2);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  let s3 = line.indexOf(0x20, s2 + 1);
  // A line whose text is empty may end right after the tags.
  if (s3 < 0) s3 = line.length;
  const tags = line.toString('latin1', s2 + 1, s3).split(':');
  return { time: line.toString('latin1', 0, s1), stream, partial: tags[0] === 'P', text: line.subarray(Math.min(s3 + 1, line.length)) };
}

/**
 * Turns file lines into output: partial pieces are joined into one line, which carries the time
 * of its first piece; lines before `sinceMs` are dropped; `limitBytes` cuts the output.
 */
export class LogFormatter {
  private pending: Buffer[] = [];
  private pendingTime = '';
  private remaining: number;

  constructor(private readonly opts: Pick<LogOptions, 'timestamps' | 'sinceMs' | 'limitBytes'>) {
    this.remaining = opts.limitBytes ?? Infinity;
  }

  /** True once limitBytes has been written: the reader can stop. */
  get done(): boolean {
    return this.remaining <= 0;
  }

  /** The output for one file line (possibly empty). */
  line(raw: Buffer): Buffer[] {
    const l = parseLogLine(raw);
    if (!l || this.done) return [];
    if (this.pending.length === 0) this.pendingTime = l.time;
    this.pending.push(l.text);
    if (l.partial) return [];
    const text = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
    this.pending = [];
    return this.emit(this.pendingTime, text);
  }

  private emit(time: string, text: Buffer): Buffer[] {
    let ts: Timestamp | undefined;
    if (this.opts.sinceMs !== undefined || this.opts.timestamps) {
      ts = parseTimestamp(time);
      if (!ts) return [];
      if (this.opts.sinceMs !== undefined && ts.ms < this.opts.sinceMs) return [];
    }
    const out = this.opts.timestamps ? [Buffer.from(`${ts!.fixed} `), text, NEWLINE] : [text, NEWLINE];
    return this.cut(out);
  }

  private cut(parts: Buffer[]): Buffer[] {
    const kept: Buffer[] = [];
    for (const p of parts) {
      if (this.remaining <= 0) break;
      const piece = p.length > this.remaining ? p.subarray(0, this.remaining) : p;
      kept.push(piece);
      this.remaining -= piece.length;
    }
    return kept;
  }
}

const NEWLINE = Buffer.from('\n');

/** Whether a file line is the last piece of a log line (tag F), without parsing it fully. */
export function endsLogLine(raw: Buffer): boolean {
  const l = parseLogLine(raw);
  return !!l && !l.partial;
}
