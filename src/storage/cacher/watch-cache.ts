/**
 * @module WatchCache: the cacher's memory — the current version of every key under its prefix
 * and a ring buffer of recent events. The buffer also rebuilds the state at any revision it
 * still covers (each event's prevKv undoes it), so paged lists stay at one revision.
 * The ring is sized by time, as kube-apiserver's watch cache: it keeps at least the last
 * `freshMs` of events (a watcher that lags less than that resumes instead of relisting), up to
 * maxCapacity events, and gives the room back once most of it is older than that.
 */
import type { KeyValue, WatchEvent } from '../store.js';
import { hasPrefix, prefixEnd } from '../keyspace.js';

export interface Page { items: KeyValue[]; remaining: number }

export interface WatchCacheOptions {
  /** The ring's starting and smallest size. Default 100 (upstream's lowerBoundCapacity). */
  minCapacity?: number;
  /** The ring never grows beyond this. Default 100 * 1024 (upstream's upperBoundCapacity). */
  maxCapacity?: number;
  /** History the ring tries to keep. Default 75 s (upstream's eventFreshDuration). */
  freshMs?: number;
  /** Clock for event record times (tests inject one). */
  now?: () => number;
}

export class WatchCache {
  /** Every event up to this revision has been applied. */
  revision = 0;
  /** The buffer holds every event after this revision (older ones are gone). */
  oldest = 0;
  /** Nothing before this revision is served: the list the cache started from, or a compaction. */
  private floor = 0;
  /**
   * Per key directory ("", "/registry/", "/registry/pods/", "/registry/pods/ns/"): the newest
   * revision of an event under it that left the ring. One ring serves every resource, so a quiet
   * resource's history outlives `oldest` — as it would in upstream's ring per resource.
   */
  private readonly dropped = new Map<string, number>();
  private readonly items = new Map<string, KeyValue>();
  /** Every key in order, once `keysInOrder` merged `added` in and dropped deleted ones (`stale`). */
  private sorted: string[] = [];
  /** Keys created since the last merge: a few sorted and merged cost far less than sorting every key again. */
  private added: string[] = [];
  private stale = false;
  private ring: (WatchEvent | undefined)[];
  /** When each ring slot's event was applied (ms, from `now`). */
  private times: number[];
  private head = 0;
  private size = 0;
  private capacity: number;
  private readonly minCapacity: number;
  private readonly maxCapacity: number;
  private readonly freshMs: number;
  private readonly now: () => number;

  constructor(opts: WatchCacheOptions = {}) {
    this.minCapacity = opts.minCapacity ?? 100;
    this.maxCapacity = Math.max(this.minCapacity, opts.maxCapacity ?? 100 * 1024);
    this.freshMs = opts.freshMs ?? 75_000;
    this.now = opts.now ?? Date.now;
    this.capacity = this.minCapacity;
    this.ring = new Array<WatchEvent | undefined>(this.capacity);
    this.times = new Array<number>(this.capacity);
  }

  /** The newest version of key applied so far. */
  current(key: string): KeyValue | undefined { return this.items.get(key); }

  /** Events the ring can hold now. */
  get ringCapacity(): number { return this.capacity; }

  /** Replaces everything with a fresh list taken at revision. */
  reset(items: KeyValue[], revision: number): void {
    this.items.clear();
    for (const kv of items) this.items.set(kv.key, kv);
    this.sorted = [...this.items.keys()].sort();
    this.added = [];
    this.stale = false;
    this.ring = new Array<WatchEvent | undefined>(this.capacity);
    this.times = new Array<number>(this.capacity);
    this.head = this.size = 0;
    this.revision = this.oldest = this.floor = revision;
    this.dropped.clear();
  }

  /** Applies events (in revision order) that are under prefix; `upto` is the revision now reached. */
  apply(events: WatchEvent[], upto: number): void {
    const now = events.length > 0 ? this.now() : 0;
    for (const e of events) {
      if (e.type === 'PUT') {
        if (!this.items.has(e.kv.key)) this.added.push(e.kv.key);
        this.items.set(e.kv.key, e.kv);
      } else if (this.items.delete(e.kv.key)) {
        this.stale = true;
      }
      this.append(e, now);
    }
    this.revision = Math.max(this.revision, upto);
  }

  /** Forgets events at or before revision (the store compacted them). */
  trim(revision: number): void {
    while (this.size > 0 && this.at(0).kv.modRevision <= revision) this.dropOldest();
    this.oldest = Math.max(this.oldest, Math.min(revision, this.revision));
    this.floor = Math.max(this.floor, Math.min(revision, this.revision));
  }

  /** Whether the ring still holds every event under prefix after revision (a watch from there can be served). */
  covers(prefix: string, revision: number): boolean {
    if (revision >= this.oldest) return true;
    if (revision < this.floor) return false;
    return (this.dropped.get(prefix.slice(0, prefix.lastIndexOf('/') + 1)) ?? 0) <= revision;
  }

  /** Buffered events under prefix after revision (which must be >= oldest). */
  eventsAfter(revision: number, prefix: string): WatchEvent[] {
    const out: WatchEvent[] = [];
    for (let i = this.firstAfter(revision); i < this.size; i++) {
      const e = this.at(i);
      if (hasPrefix(e.kv.key, prefix)) out.push(e);
    }
    return out;
  }

  /** Keys under prefix at revision (oldest <= revision <= this.revision), after `after`, at most limit. */
  list(prefix: string, revision: number, after: string | undefined, limit: number | undefined): Page {
    const { keys, get } = this.stateAt(revision);
    const end = prefixEnd(prefix);
    let i = after !== undefined && after >= prefix ? upperBound(keys, after) : lowerBound(keys, prefix);
    const stop = end === undefined ? keys.length : lowerBound(keys, end);
    const items: KeyValue[] = [];
    for (; i < stop && (limit === undefined || items.length < limit); i++) items.push(get(keys[i])!);
    return { items, remaining: stop - i };
  }

  private stateAt(revision: number): { keys: string[]; get: (k: string) => KeyValue | undefined } {
    const current = this.keysInOrder();
    if (revision >= this.revision) return { keys: current, get: (k) => this.items.get(k) };
    // The first event after revision for a key tells what it was then: its prevKv, or nothing.
    const then = new Map<string, KeyValue | undefined>();
    for (let i = this.firstAfter(revision); i < this.size; i++) {
      const e = this.at(i);
      if (!then.has(e.kv.key)) then.set(e.kv.key, e.prevKv);
    }
    const keys = current.filter((k) => !then.has(k));
    for (const [k, kv] of then) if (kv) keys.push(k);
    keys.sort();
    return { keys, get: (k) => (then.has(k) ? then.get(k) : this.items.get(k)) };
  }

  /** The current keys in order: `sorted` with `added` merged in, deleted keys left out. */
  private keysInOrder(): string[] {
    if (this.added.length === 0 && !this.stale) return this.sorted;
    const add = this.added.sort();
    const out: string[] = [];
    let i = 0;
    let j = 0;
    // A key deleted and created again since the last merge is in both lists: keep one.
    const push = (k: string) => { if (this.items.has(k) && out[out.length - 1] !== k) out.push(k); };
    while (i < this.sorted.length || j < add.length) {
      if (j >= add.length || (i < this.sorted.length && this.sorted[i] <= add[j])) push(this.sorted[i++]);
      else push(add[j++]);
    }
    this.sorted = out;
    this.added = [];
    this.stale = false;
    return out;
  }

  private firstAfter(revision: number): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.at(mid).kv.modRevision <= revision) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private at(i: number): WatchEvent {
    return this.ring[(this.head + i) % this.capacity]!;
  }

  private append(e: WatchEvent, now: number): void {
    this.resize(now);
    if (this.size === this.capacity) this.dropOldest();
    const slot = (this.head + this.size) % this.capacity;
    this.ring[slot] = e;
    this.times[slot] = now;
    this.size++;
  }

  /**
   * Upstream's resizeCacheLocked, checked when the ring is full: double it while its oldest event
   * is younger than freshMs; halve it once even the newest quarter is older than that (so a
   * quiet cache does not flap between sizes).
   */
  private resize(now: number): void {
    if (this.size < this.capacity) return;
    if (now - this.timeAt(0) < this.freshMs) {
      const grown = Math.min(this.capacity * 2, this.maxCapacity);
      if (grown > this.capacity) this.setCapacity(grown);
    } else if (now - this.timeAt(this.size - Math.floor(this.capacity / 4)) > this.freshMs) {
      const shrunk = Math.max(Math.floor(this.capacity / 2), this.minCapacity);
      if (shrunk < this.capacity) this.setCapacity(shrunk);
    }
  }

  /** Moves the newest events (as many as fit) into a ring of the given size. */
  private setCapacity(capacity: number): void {
    while (this.size > capacity) this.dropOldest();
    const ring = new Array<WatchEvent | undefined>(capacity);
    const times = new Array<number>(capacity);
    for (let i = 0; i < this.size; i++) {
      ring[i] = this.at(i);
      times[i] = this.timeAt(i);
    }
    this.ring = ring;
    this.times = times;
    this.head = 0;
    this.capacity = capacity;
  }

  private timeAt(i: number): number {
    return this.times[(this.head + i) % this.capacity];
  }

  private dropOldest(): void {
    const { key, modRevision } = this.at(0).kv;
    this.oldest = Math.max(this.oldest, modRevision);
    this.dropped.set('', modRevision);
    for (let i = key.indexOf('/'); i >= 0; i = key.indexOf('/', i + 1)) this.dropped.set(key.slice(0, i + 1), modRevision);
    this.ring[this.head] = undefined; // let the event's objects go
    this.head = (this.head + 1) % this.capacity;
    this.size--;
  }
}

function lowerBound(keys: string[], k: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid] < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const upperBound = (keys: string[], k: string) => {
  const i = lowerBound(keys, k);
  return i < keys.length && keys[i] === k ? i + 1 : i;
};
