/**
 * @module When the proxy syncs, as upstream's BoundedFrequencyRunner: a change asks for a sync,
 * bursts of changes within `minIntervalMs` share one, at most one runs at a time, a failed one is
 * retried with doubling back-off, and a periodic tick catches anything missed.
 */
export interface SyncRunnerOptions {
  minIntervalMs: number;
  /** Ticks with no change in between (upstream's syncPeriod). */
  periodMs: number;
  maxBackoffMs: number;
  /** Called on failure with the error and the delay before the retry. */
  onError(err: unknown, retryInMs: number): void;
}

export class SyncRunner {
  private timer?: NodeJS.Timeout;
  private running = false;
  private pending = false;
  private lastStart = 0;
  private dueAt = 0;
  private failures = 0;
  private stopped = false;
  private idle?: Promise<void>;

  constructor(private sync: () => Promise<void>, private o: SyncRunnerOptions) {}

  /** Asks for a sync as soon as the minimum interval allows. */
  request(): void {
    if (this.stopped) return;
    if (this.running) { this.pending = true; return; }
    if (this.failures > 0 && this.timer) return; // a retry keeps its back-off
    const at = Math.max(Date.now(), this.lastStart + this.o.minIntervalMs);
    if (!this.timer || this.dueAt > at) this.schedule(at - Date.now());
  }

  /** Stops scheduling and waits for a running sync to end. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.idle;
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.dueAt = Date.now() + ms;
    this.timer = setTimeout(() => { this.idle = this.run(); }, ms);
  }

  private async run(): Promise<void> {
    this.timer = undefined;
    this.running = true;
    this.pending = false;
    this.lastStart = Date.now();
    try {
      await this.sync();
      this.failures = 0;
    } catch (e) {
      this.failures++;
      const backoff = Math.min(this.o.maxBackoffMs, Math.max(this.o.minIntervalMs, 500) * 2 ** (this.failures - 1));
      this.running = false;
      if (!this.stopped) {
        this.o.onError(e, backoff);
        this.schedule(backoff);
      }
      return;
    }
    this.running = false;
    if (this.stopped) return;
    if (this.pending) this.schedule(Math.max(0, this.lastStart + this.o.minIntervalMs - Date.now()));
    else this.schedule(this.o.periodMs);
  }
}
