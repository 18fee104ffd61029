/**
 * @module One key per allocated value (`<prefix><value>` → {namespace,name,uid,createdAt}), created
 * with the store's create-if-absent: several API servers on one store can never hand out the same
 * address or port, without a shared bitmap to compare-and-swap. An in-memory set of taken indices
 * is only a hint that keeps a pick O(1)-ish; the store decides, and a pick that finds the range
 * full re-reads the keys once before it says so.
 */
import { randomInt } from 'node:crypto';
import { ConflictError, KeyExistsError, NotFoundError, type KeyValue, type Store } from '../../storage/store.js';

export interface Owner { namespace: string; name: string; uid: string }
export interface Allocation extends Owner { createdAt: string }

/** created: the key is new; own: the key already named this owner; taken: someone else holds it. */
export type ClaimResult = 'created' | 'own' | 'taken';

export interface StoreRangeOptions {
  /** Key prefix ending in "/", e.g. /registry/tugboat.io/serviceips/. */
  prefix: string;
  /** Indices 0 … size-1. */
  size: number;
  /** The key suffix of an index (an IP or a port number) and back. */
  label(i: number): string;
  index(label: string): number | undefined;
  /** Dynamic picks prefer indices ≥ band, leaving the low band to static requests. */
  band: number;
  /** Indices dynamic picks never take (the `kubernetes` service's address). */
  reserved?: ReadonlySet<number>;
}

export class StoreRange {
  private readonly taken = new Set<number>();

  constructor(readonly store: Store, readonly o: StoreRangeOptions) {}

  key(i: number) { return this.o.prefix + this.o.label(i); }

  /** Creates index i's key for owner, unless someone holds it. */
  async claim(i: number, owner: Owner): Promise<ClaimResult> {
    const value: Allocation = { namespace: owner.namespace, name: owner.name, uid: owner.uid, createdAt: new Date().toISOString() };
    try {
      await this.store.create(this.key(i), JSON.stringify(value));
      this.taken.add(i);
      return 'created';
    } catch (e) {
      if (!(e instanceof KeyExistsError)) throw e;
      this.taken.add(i);
      const held = await this.holder(i);
      return held?.uid === owner.uid ? 'own' : 'taken';
    }
  }

  /** Who holds index i (undefined when free). */
  async holder(i: number): Promise<Allocation | undefined> {
    const { kv } = await this.store.get(this.key(i));
    return kv ? parseAllocation(kv) : undefined;
  }

  /** Claims a free index, upper band first from a random start, then the low band. */
  async claimNext(owner: Owner): Promise<number | undefined> {
    for (let pass = 0; pass < 2; pass++) {
      // A range that looks full may hold values other servers released: read the truth once.
      if (pass === 1) await this.refresh();
      for (const i of this.candidates()) {
        if (this.taken.has(i)) continue;
        if (await this.claim(i, owner) !== 'taken') return i;
      }
    }
    return undefined;
  }

  private *candidates(): Generator<number> {
    const { size, band, reserved } = this.o;
    for (const [lo, hi] of [[band, size], [0, band]]) {
      if (hi <= lo) continue;
      const start = lo + randomInt(hi - lo);
      for (let k = 0; k < hi - lo; k++) {
        const i = lo + ((start - lo + k) % (hi - lo));
        if (!reserved?.has(i)) yield i;
      }
    }
  }

  /** Deletes index i's key if owner uid still holds it (a key another service took stays). */
  async release(i: number, uid: string): Promise<void> {
    const { kv } = await this.store.get(this.key(i));
    if (kv && parseAllocation(kv)?.uid !== uid) return;
    if (kv) {
      try {
        await this.store.delete(kv.key, kv.modRevision);
      } catch (e) {
        if (!(e instanceof NotFoundError || e instanceof ConflictError)) throw e;
        return;
      }
    }
    this.taken.delete(i);
  }

  /** Every allocation key with its index (keys outside the range have index undefined). */
  async list(): Promise<{ kv: KeyValue; index?: number; alloc?: Allocation }[]> {
    const out: { kv: KeyValue; index?: number; alloc?: Allocation }[] = [];
    let cont: string | undefined;
    do {
      const page = await this.store.list(this.o.prefix, { limit: 1000, continue: cont });
      for (const kv of page.items) out.push({ kv, index: this.o.index(kv.key.slice(this.o.prefix.length)), alloc: parseAllocation(kv) });
      cont = page.continue;
    } while (cont);
    return out;
  }

  /** Replaces the hint with the store's keys. */
  async refresh(): Promise<void> {
    const keys = await this.list();
    this.taken.clear();
    for (const k of keys) if (k.index !== undefined) this.taken.add(k.index);
  }
}

export function parseAllocation(kv: KeyValue): Allocation | undefined {
  try {
    const v = JSON.parse(kv.value);
    return typeof v?.uid === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * How many low indices dynamic allocation leaves for static requests (upstream's
 * calculateRangeOffset: min(max(min, size/step), max), none for tiny ranges).
 */
export function staticBand(size: number, min: number, step: number, max: number): number {
  if (size <= min) return 0;
  return Math.min(Math.max(min, Math.floor(size / step)), max);
}
