/**
 * @module WatchCache: the cacher's memory — the current version of every key under its prefix
 * and a ring buffer of recent events. The buffer also rebuilds the state at any revision it
 * still covers (each event's prevKv undoes it), so paged lists stay at one revision.
 */
import type { KeyValue, WatchEvent } from '../store.js';
import { hasPrefix, prefixEnd } from '../keyspace.js';

export interface Page { items: KeyValue[]; remaining: number }

export class WatchCache {
  /** Every event up to this revision has been applied. */
  revision = 0;
  /** The buffer holds every event after this revision (older ones are gone). */
  oldest = 0;
  private readonly items = new Map<string, KeyValue>();
  private sorted: string[] | undefined;
  private ring: WatchEvent[];
  private head = 0;
  private size = 0;

  constructor(private readonly capacity: number) {
    this.ring = new Array<WatchEvent>(capacity);
  }

  /** Replaces everything with a fresh list taken at revision. */
  reset(items: KeyValue[], revision: number): void {
    this.items.clear();
    for (const kv of items) this.items.set(kv.key, kv);
    this.sorted = undefined;
    this.ring = new Array<WatchEvent>(this.capacity);
    this.head = this.size = 0;
    this.revision = this.oldest = revision;
  }

  /** Applies events (in revision order) that are under prefix; `upto` is the revision now reached. */
  apply(events: WatchEvent[], upto: number): void {
    for (const e of events) {
      if (e.type === 'PUT') {
        if (!this.items.has(e.kv.key)) this.sorted = undefined;
        this.items.set(e.kv.key, e.kv);
      } else if (this.items.delete(e.kv.key)) {
        this.sorted = undefined;
      }
      this.append(e);
    }
    this.revision = Math.max(this.revision, upto);
  }

  /** Forgets events at or before revision (the store compacted them). */
  trim(revision: number): void {
    while (this.size > 0 && this.at(0).kv.modRevision <= revision) this.dropOldest();
    this.oldest = Math.max(this.oldest, Math.min(revision, this.revision));
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
    this.sorted ??= [...this.items.keys()].sort();
    const current = this.sorted;
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
    return this.ring[(this.head + i) % this.capacity];
  }

  private append(e: WatchEvent): void {
    if (this.size === this.capacity) this.dropOldest();
    this.ring[(this.head + this.size) % this.capacity] = e;
    this.size++;
  }

  private dropOldest(): void {
    this.oldest = Math.max(this.oldest, this.at(0).kv.modRevision);
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
