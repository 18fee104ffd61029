/**
 * @module Cacher: a Store that serves list and watch from memory (kube-apiserver's watch cache).
 * It lists and watches the backing store once; every watcher shares that one backing watch.
 * Writes, get and currentRevision pass through. Lists are consistent: they wait until the
 * cache has seen the backing store's current revision, so an acknowledged write is always listed.
 */
import {
  CompactedError, type KeyValue, type ListOptions, type ListResult, type Store, type WatchEvent,
} from '../store.js';
import { EventQueue } from '../event-queue.js';
import { decodeContinue, encodeContinue, hasPrefix } from '../keyspace.js';
import { WatchCache, type WatchCacheOptions } from './watch-cache.js';
import { watchCacheMetrics } from './metrics.js';

/** The ring's bounds, history and clock are WatchCacheOptions (events kept for watches that start in the past). */
export interface CacherOptions extends WatchCacheOptions {
  /** Keys kept in memory; lists and watches elsewhere go to the backing store. Default "/registry/". */
  prefix?: string;
  /** How long a read waits for the cache to catch up before asking the backing store. Default 3 s. */
  waitTimeoutMs?: number;
}

interface Watcher { prefix: string; after: number; queue: EventQueue }
interface Waiter { revision: number; resolve: (caughtUp: boolean) => void }

const LIST_PAGE = 5000;

export class Cacher implements Store {
  private readonly prefix: string;
  private readonly waitTimeoutMs: number;
  private readonly cache: WatchCache;
  private readonly watchers = new Set<Watcher>();
  private waiters: Waiter[] = [];
  private readonly stop = new AbortController();
  private loop: Promise<void> = Promise.resolve();

  private constructor(private readonly backing: Store, opts: CacherOptions) {
    this.prefix = opts.prefix ?? '/registry/';
    this.waitTimeoutMs = opts.waitTimeoutMs ?? 3000;
    this.cache = new WatchCache(opts);
  }

  /** Lists the prefix from backing and starts following it. close() also closes backing. */
  static async open(backing: Store, opts: CacherOptions = {}): Promise<Cacher> {
    const c = new Cacher(backing, opts);
    await c.relist();
    c.loop = c.follow();
    return c;
  }

  get(key: string, opts?: { revision?: number }): Promise<{ kv?: KeyValue; revision: number }> {
    return this.backing.get(key, opts);
  }

  cached(key: string): KeyValue | undefined {
    return hasPrefix(key, this.prefix) ? this.cache.current(key) : undefined;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    if (!hasPrefix(prefix, this.prefix)) return this.backing.list(prefix, opts);
    const token = opts.continue ? decodeContinue(opts.continue) : undefined;
    const asked = token?.revision ?? opts.revision ?? 0;
    // "Not older than": whatever the cache has once it reached that revision, with no consistent read.
    const anyFresh = !token && !opts.revision && opts.notOlderThan !== undefined;
    const caughtUp = anyFresh ? await this.catchUp(opts.notOlderThan!, false) : await this.catchUp(asked);
    if (!caughtUp) return this.backing.list(prefix, opts);
    const revision = asked || this.cache.revision;
    // The buffer no longer reaches that far back; the backing store may still (or says Compacted).
    if (revision < this.cache.oldest) {
      watchCacheMetrics.expired.inc({ request: 'list' });
      return this.backing.list(prefix, opts);
    }
    const limit = opts.limit && opts.limit > 0 ? opts.limit : undefined;
    const page = this.cache.list(prefix, revision, token?.key, limit);
    const result: ListResult = { items: page.items, revision };
    if (page.remaining > 0 && page.items.length > 0) {
      result.continue = encodeContinue({ key: page.items[page.items.length - 1].key, revision });
      result.remainingItemCount = page.remaining;
    }
    return result;
  }

  async count(prefix: string): Promise<number> {
    if (!hasPrefix(prefix, this.prefix) || !(await this.catchUp(0))) return this.backing.count(prefix);
    return this.cache.list(prefix, this.cache.revision, undefined, 0).remaining;
  }

  create(key: string, value: string): Promise<KeyValue> {
    return this.backing.create(key, value);
  }

  update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    return this.backing.update(key, value, expectedModRevision);
  }

  delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    return this.backing.delete(key, expectedModRevision);
  }

  async *watch(prefix: string, afterRevision: number, signal: AbortSignal): AsyncIterable<WatchEvent[]> {
    if (!hasPrefix(prefix, this.prefix)) {
      yield* this.backing.watch(prefix, afterRevision, signal);
      return;
    }
    if (!this.cache.covers(prefix, afterRevision)) {
      watchCacheMetrics.expired.inc({ request: 'watch' });
      throw new CompactedError(afterRevision, this.cache.oldest);
    }
    const queue = new EventQueue(signal);
    // No await between replaying the buffer and joining: no event falls in between.
    queue.push(this.cache.eventsAfter(afterRevision, prefix));
    const w: Watcher = { prefix, after: afterRevision, queue };
    this.watchers.add(w);
    const leave = () => this.watchers.delete(w);
    signal.addEventListener('abort', leave, { once: true });
    try {
      yield* queue.drain();
    } finally {
      signal.removeEventListener('abort', leave);
      leave();
    }
  }

  currentRevision(): Promise<number> {
    return this.backing.currentRevision();
  }

  async compact(revision: number): Promise<void> {
    await this.backing.compact(revision);
    this.cache.trim(revision);
  }

  async close(): Promise<void> {
    this.stop.abort();
    await this.loop;
    for (const w of this.watchers) w.queue.end();
    this.watchers.clear();
    for (const w of this.waiters) w.resolve(false);
    this.waiters = [];
    await this.backing.close();
  }

  /** Lists the prefix at one revision, page by page, and starts the cache over from it. */
  private async relist(): Promise<void> {
    const items: KeyValue[] = [];
    let page = await this.backing.list(this.prefix, { limit: LIST_PAGE });
    items.push(...page.items);
    while (page.continue) {
      page = await this.backing.list(this.prefix, { limit: LIST_PAGE, continue: page.continue });
      items.push(...page.items);
    }
    this.cache.reset(items, page.revision);
    // Watchers cannot be carried over a gap: they must relist, as after a 410.
    for (const w of this.watchers) w.queue.fail(new CompactedError(w.after, page.revision));
    this.watchers.clear();
    this.wakeWaiters();
  }

  /**
   * Follows every key (not only the prefix) so the cache's revision reaches the store's even
   * when the last writes were elsewhere; only events under the prefix are kept.
   */
  private async follow(): Promise<void> {
    let backoff = 100;
    while (!this.stop.signal.aborted) {
      try {
        for await (const batch of this.backing.watch('', this.cache.revision, this.stop.signal)) {
          this.apply(batch);
          backoff = 100;
        }
      } catch (err) {
        if (this.stop.signal.aborted) return;
        if (err instanceof CompactedError) {
          await this.relist().catch((e: Error) => process.emitWarning(`watch cache relist failed: ${e.message}`));
        } else {
          process.emitWarning(`watch cache: backing watch failed: ${(err as Error).message}`);
        }
      }
      await sleep(backoff, this.stop.signal);
      backoff = Math.min(backoff * 2, 5000);
    }
  }

  private apply(batch: WatchEvent[]): void {
    const fresh = batch.filter((e) => e.kv.modRevision > this.cache.revision);
    if (fresh.length === 0) return;
    const mine = fresh.filter((e) => hasPrefix(e.kv.key, this.prefix));
    this.cache.apply(mine, fresh[fresh.length - 1].kv.modRevision);
    watchCacheMetrics.capacity.set(this.cache.ringCapacity);
    for (const w of this.watchers) {
      w.queue.push(mine.filter((e) => e.kv.modRevision > w.after && hasPrefix(e.kv.key, w.prefix)));
    }
    this.wakeWaiters();
  }

  /**
   * Waits until the cache has applied revision (0 and `consistent`: the backing store's current
   * one; 0 otherwise: none). False if it did not within waitTimeoutMs: the caller then reads the
   * backing store instead.
   */
  private async catchUp(revision: number, consistent = true): Promise<boolean> {
    const target = revision || (consistent ? await this.backing.currentRevision() : 0);
    if (this.cache.revision >= target) return true;
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(false);
      }, this.waitTimeoutMs);
      const waiter: Waiter = { revision: target, resolve: (ok) => { clearTimeout(timer); resolve(ok); } };
      this.waiters.push(waiter);
    });
  }

  private wakeWaiters(): void {
    const ready = this.waiters.filter((w) => w.revision <= this.cache.revision);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.revision > this.cache.revision);
    for (const w of ready) w.resolve(true);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });
}
