/**
 * @module A rate-limited work queue of keys, as client-go's workqueue: a key is held once however
 * often it is added, never processed by two workers at once, and re-queued after `done` when it
 * was added while in process. Failures back off per key (5 ms doubling to 1000 s, as
 * DefaultControllerRateLimiter's per-item part).
 */

/**
 * A FIFO whose shift is O(1): Array#shift copies the whole array once it is too large for V8 to
 * trim in place, and a queue of 100,000 pod keys (the taint manager's at 150,000 pods) then spent
 * 6 % of the server's CPU moving keys.
 */
class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get length(): number { return this.items.length - this.head; }

  push(v: T): void { this.items.push(v); }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const v = this.items[this.head];
    this.items[this.head++] = undefined;
    // Drop the consumed front once it is most of the array (amortized O(1)).
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return v;
  }

  drain(): T[] {
    const out = this.items.slice(this.head) as T[];
    this.items = [];
    this.head = 0;
    return out;
  }
}

export interface RateLimiterOptions { baseDelayMs?: number; maxDelayMs?: number }

export class WorkQueue<K = string> {
  private queue = new Fifo<K>();
  private dirty = new Set<K>();
  private processing = new Set<K>();
  private failures = new Map<K, number>();
  private timers = new Map<K, { at: number; timer: NodeJS.Timeout }>();
  private waiters = new Fifo<(k: K | undefined) => void>();
  private shuttingDown = false;
  /** Keys queued (not already waiting) and backoff re-adds, since creation: workqueue_adds_total / retries_total. */
  addsTotal = 0;
  retriesTotal = 0;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(opts: RateLimiterOptions = {}) {
    this.baseDelayMs = opts.baseDelayMs ?? 5;
    this.maxDelayMs = opts.maxDelayMs ?? 1_000_000;
  }

  /** Queues key unless it is queued already; a key being processed runs again after done(). */
  add(key: K): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    this.addsTotal++;
    if (this.processing.has(key)) return;
    const waiter = this.waiters.shift();
    if (waiter) {
      this.dirty.delete(key);
      this.processing.add(key);
      waiter(key);
      return;
    }
    this.queue.push(key);
  }

  /** Adds key after ms; an earlier pending addAfter of the same key wins. */
  addAfter(key: K, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) return this.add(key);
    const at = Date.now() + ms;
    const pending = this.timers.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => { this.timers.delete(key); this.add(key); }, ms);
    this.timers.set(key, { at, timer });
  }

  /** Adds key after its per-key backoff, which doubles with each call until forget(key). */
  addRateLimited(key: K): void {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    this.retriesTotal++;
    this.addAfter(key, Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** n));
  }

  /** Clears key's backoff (call after a successful reconcile). */
  forget(key: K): void { this.failures.delete(key); }

  /** How many times key has failed since the last forget. */
  numRequeues(key: K): number { return this.failures.get(key) ?? 0; }

  /** The next key (waiting for one); undefined once the queue is shut down and drained. */
  get(): Promise<K | undefined> {
    const key = this.queue.shift();
    if (key !== undefined) {
      this.dirty.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks key processed; if it was added meanwhile, it is queued again. */
  done(key: K): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) {
      this.dirty.delete(key);
      this.add(key);
    }
  }

  len(): number { return this.queue.length; }

  /** Stops accepting keys; workers waiting in get() receive undefined. */
  shutDown(): void {
    this.shuttingDown = true;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const w of this.waiters.drain()) w(undefined);
  }
}
