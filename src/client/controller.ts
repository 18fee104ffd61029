/**
 * @module The Reconciler contract (controller-runtime's) and the worker loop that drives it from a
 * work queue: a throw retries with backoff, a requeueAfterMs asks to be called again later.
 */
import { WorkQueue } from './workqueue.js';
import { trackQueue } from './workqueue-metrics.js';

export interface Result { requeueAfterMs?: number }

export interface Reconciler {
  /**
   * Brings the object named by key ("ns/name" or "name") to its desired state, reading current
   * state afresh (never from the event that queued it). Must be idempotent. Throwing retries the
   * key with per-key exponential backoff; NotFound for the key's own object means "deleted: done".
   */
  reconcile(key: string, signal: AbortSignal): Promise<Result | void>;
}

export interface RunOptions {
  name: string;
  queue: WorkQueue<string>;
  reconciler: Reconciler;
  workers?: number;
  signal: AbortSignal;
  onError?: (key: string, err: unknown) => void;
}

/** Runs `workers` loops until signal aborts (then shuts the queue down). */
export async function runWorkers(o: RunOptions): Promise<void> {
  o.signal.addEventListener('abort', () => o.queue.shutDown(), { once: true });
  const metrics = trackQueue(o.name, o.queue);
  const worker = async () => {
    let lastYield = performance.now();
    for (;;) {
      const key = await o.queue.get();
      if (key === undefined) return;
      const t0 = performance.now();
      try {
        const r = await o.reconciler.reconcile(key, o.signal);
        o.queue.forget(key);
        if (r?.requeueAfterMs !== undefined) o.queue.addAfter(key, r.requeueAfterMs);
      } catch (e) {
        if (!o.signal.aborted) {
          o.onError?.(key, e);
          o.queue.addRateLimited(key);
        }
      } finally {
        o.queue.done(key);
        metrics.observe((performance.now() - t0) / 1000);
      }
      // In one process the client resolves without I/O, so a busy queue would keep this loop in
      // microtasks forever and starve sockets and timers (HTTPS clients saw TLS handshake timeouts):
      // let the event loop turn every few milliseconds. (After every key, a busy server's loop turn
      // of tens of ms let each worker do one key per turn: queues of cheap keys never drained.)
      if (performance.now() - lastYield >= YIELD_EVERY_MS) {
        await yieldToEventLoop();
        lastYield = performance.now();
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: o.workers ?? 1 }, worker));
  } finally {
    metrics.untrack();
  }
}

/** How long a worker may run keys without letting the event loop turn. */
const YIELD_EVERY_MS = 2;
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));
