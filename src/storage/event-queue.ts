/**
 * @module EventQueue: the buffer between one watch producer (a notifier, an etcd watcher, the
 * watch cache) and its consumer's `for await`. Batches queued while the consumer is busy are
 * handed over together; abort ends the iteration, fail() makes it throw.
 */
import type { WatchEvent } from './store.js';

export class EventQueue {
  private batches: WatchEvent[][] = [];
  private wake: (() => void) | undefined;
  private error: unknown;
  private failed = false;
  private ended = false;
  private readonly onAbort = () => this.end();

  constructor(private readonly signal: AbortSignal) {
    signal.addEventListener('abort', this.onAbort, { once: true });
  }

  push(events: WatchEvent[]): void {
    if (events.length === 0 || this.ended) return;
    this.batches.push(events);
    this.notify();
  }

  /** Ends the iteration with err (after the batches already queued). */
  fail(err: unknown): void {
    if (this.ended) return;
    this.error = err;
    this.failed = true;
    this.end();
  }

  /** Ends the iteration once the queued batches are taken; also stops listening to the signal. */
  end(): void {
    this.ended = true;
    // Long-lived signals (a server's) must not collect one listener per finished watch.
    this.signal.removeEventListener('abort', this.onAbort);
    this.notify();
  }

  async *drain(): AsyncGenerator<WatchEvent[]> {
    try {
      for (;;) {
        if (this.signal.aborted) return;
        if (this.batches.length > 0) {
          const out = this.batches.length === 1 ? this.batches[0] : this.batches.flat();
          this.batches = [];
          yield out;
          continue;
        }
        if (this.failed) throw this.error;
        if (this.ended) return;
        await new Promise<void>((resolve) => { this.wake = resolve; });
      }
    } finally {
      this.end();
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
