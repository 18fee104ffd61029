/**
 * @module Per-key exponential back-off as client-go's flowcontrol.Backoff, which the kubelet uses
 * for CrashLoopBackOff (10 s doubling to 5 min) and ImagePullBackOff: an entry not updated for
 * twice the maximum (10 min) starts over at the initial delay.
 */

interface Entry { backoffMs: number; lastUpdate: number }

export interface BackoffOptions { initialMs: number; maxMs: number; now?: () => number }

export class Backoff {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;

  constructor(private readonly o: BackoffOptions) {
    this.now = o.now ?? Date.now;
  }

  /** Records a failure at `eventTime`: the delay doubles (capped), or starts over when the entry expired. */
  next(id: string, eventTime: number): void {
    const e = this.entries.get(id);
    if (!e || this.expired(eventTime, e)) this.entries.set(id, { backoffMs: this.o.initialMs, lastUpdate: this.now() });
    else this.entries.set(id, { backoffMs: Math.min(e.backoffMs * 2, this.o.maxMs), lastUpdate: this.now() });
  }

  /** The current delay of `id` (0 when it has none). */
  get(id: string): number { return this.entries.get(id)?.backoffMs ?? 0; }

  /** Whether less than the delay passed since `eventTime` (e.g. the container's finish). */
  isInBackOffSince(id: string, eventTime: number): boolean {
    const e = this.entries.get(id);
    if (!e || this.expired(eventTime, e)) return false;
    return this.now() - eventTime < e.backoffMs;
  }

  /** Whether less than the delay passed since the last next(). */
  isInBackOffSinceUpdate(id: string): boolean {
    const now = this.now();
    const e = this.entries.get(id);
    if (!e || this.expired(now, e)) return false;
    return now - e.lastUpdate < e.backoffMs;
  }

  /** Milliseconds until the back-off that started at `since` ends (0 when over). */
  remaining(id: string, since: number): number {
    return Math.max(0, since + this.get(id) - this.now());
  }

  /** When the last next() was called (undefined for an unknown id). */
  lastUpdate(id: string): number | undefined { return this.entries.get(id)?.lastUpdate; }

  reset(id: string): void { this.entries.delete(id); }

  /** Forgets every entry whose key starts with `prefix` (a removed pod's). */
  resetPrefix(prefix: string): void {
    for (const k of [...this.entries.keys()]) if (k.startsWith(prefix)) this.entries.delete(k);
  }

  /** Drops entries not updated for twice the maximum (they would start over anyway). */
  gc(): void {
    const now = this.now();
    for (const [k, e] of this.entries) if (this.expired(now, e)) this.entries.delete(k);
  }

  private expired(at: number, e: Entry): boolean { return at - e.lastUpdate > 2 * this.o.maxMs; }
}

/** A duration as Go's time.Duration prints it ("10s", "1m20s", "5m0s", "1.2s"). */
export function goDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  const sec = `${Number.isInteger(s) ? s : s.toFixed(3).replace(/0+$/, '')}s`;
  if (h) return `${h}h${m}m${sec}`;
  if (m) return `${m}m${sec}`;
  return sec;
}
