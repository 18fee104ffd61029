/** @module WatchCache: the ring keeps the last freshMs of events, within its bounds (clock injected, no sleeps). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KeyValue, WatchEvent } from '../store.js';
import { WatchCache } from './watch-cache.js';

let rev = 0;
const last = new Map<string, KeyValue>();
/** A PUT of key carrying its previous version, as stores report it. */
const put = (key: string): WatchEvent => {
  rev++;
  const prevKv = last.get(key);
  const kv = { key, value: String(rev), createRevision: prevKv?.createRevision ?? rev, modRevision: rev };
  last.set(key, kv);
  return { type: 'PUT', kv, prevKv };
};

/** A cache over a fake clock; `add(n)` applies n events at the current time. */
function setup(opts: { minCapacity?: number; maxCapacity?: number; freshMs?: number } = {}) {
  let now = 0;
  const cache = new WatchCache({ minCapacity: 4, maxCapacity: 64, freshMs: 1000, ...opts, now: () => now });
  cache.reset([], rev);
  const add = (n: number) => {
    for (let i = 0; i < n; i++) {
      const e = put(`/k${i % 3}`);
      cache.apply([e], e.kv.modRevision);
    }
  };
  return { cache, add, advance: (ms: number) => { now += ms; } };
}

test('watch cache: grows while its oldest event is fresh, up to maxCapacity', () => {
  const { cache, add } = setup();
  const from = cache.revision;
  add(40);
  assert.equal(cache.ringCapacity, 64);
  // Nothing was dropped: a watch from before the first event still resumes.
  assert.equal(cache.oldest, from);
  assert.equal(cache.eventsAfter(from, '/').length, 40);
  add(100);
  assert.equal(cache.ringCapacity, 64, 'never beyond maxCapacity');
  assert.equal(cache.eventsAfter(cache.oldest, '/').length, 64);
  assert.equal(cache.oldest, cache.revision - 64);
});

test('watch cache: a full ring of stale events does not grow; old events make room', () => {
  const { cache, add, advance } = setup();
  add(4);
  advance(2000);
  add(1);
  assert.equal(cache.ringCapacity, 4);
  assert.equal(cache.eventsAfter(cache.oldest, '/').length, 4);
});

test('watch cache: shrinks by half once the newest quarter is stale, not below minCapacity', () => {
  const { cache, add, advance } = setup();
  add(33);
  assert.equal(cache.ringCapacity, 64);
  advance(2000);
  add(31); // fills the ring with 64 events; the newest quarter is still fresh
  assert.equal(cache.ringCapacity, 64);
  advance(2000);
  add(1); // every event is stale now
  assert.equal(cache.ringCapacity, 32);
  // The newest events are kept and the buffer still starts right after `oldest`.
  const kept = cache.eventsAfter(cache.oldest, '/');
  assert.equal(kept.length, 32);
  assert.equal(kept.at(-1)!.kv.modRevision, cache.revision);
  // A steady trickle keeps a ring just big enough for the last freshMs, no smaller than minCapacity.
  for (let i = 0; i < 10; i++) { advance(2000); add(1); }
  assert.equal(cache.ringCapacity, 4);
  for (let i = 0; i < 10; i++) { advance(2000); add(32); }
  assert.equal(cache.ringCapacity, 32, 'holds each burst of 32 fresh events');
});

test('watch cache: a half-stale ring keeps its size (no flapping)', () => {
  const { cache, add, advance } = setup();
  add(33);
  assert.equal(cache.ringCapacity, 64);
  advance(2000);
  add(31);
  advance(500);
  add(20); // oldest events stale, newest quarter fresh: neither grow nor shrink
  assert.equal(cache.ringCapacity, 64);
});

test('watch cache: lists at an older revision still covered by a resized ring', () => {
  const { cache, add } = setup();
  cache.reset([...last.values()], rev);
  add(3);
  const at = cache.revision;
  const before = cache.list('/', at, undefined, undefined).items.map((kv) => kv.value);
  add(30); // grows through several sizes
  assert.deepEqual(cache.list('/', at, undefined, undefined).items.map((kv) => kv.value), before);
});

test('watch cache: a quiet directory stays watchable from before the ring\'s oldest event, a busy one does not', () => {
  const { cache } = setup({ minCapacity: 4, maxCapacity: 4 });
  const start = cache.revision;
  const quiet = put('/registry/configmaps/ns/a');
  cache.apply([quiet], quiet.kv.modRevision);
  const afterQuiet = cache.revision;
  for (let i = 0; i < 10; i++) {
    const e = put(`/registry/pods/ns/p${i}`);
    cache.apply([e], e.kv.modRevision);
  }
  assert.ok(cache.oldest > afterQuiet);
  // The configmap event left the ring: from before it, configmaps are gone; from after it, nothing was missed.
  assert.equal(cache.covers('/registry/configmaps/', start), false);
  assert.equal(cache.covers('/registry/configmaps/', afterQuiet), true);
  assert.equal(cache.covers('/registry/configmaps/ns/', afterQuiet), true);
  assert.deepEqual(cache.eventsAfter(afterQuiet, '/registry/configmaps/'), []);
  assert.equal(cache.covers('/registry/secrets/', afterQuiet), true);
  assert.equal(cache.covers('/registry/pods/', afterQuiet), false);
  assert.equal(cache.covers('/registry/', afterQuiet), false);
  assert.equal(cache.covers('', afterQuiet), false);
  // Nothing from before the list the cache started from, nor from before a compaction.
  assert.equal(cache.covers('/registry/secrets/', start - 1), false);
  cache.trim(afterQuiet + 1);
  assert.equal(cache.covers('/registry/secrets/', afterQuiet), false);
});

test('watch cache: lists stay in key order through random creates, deletes and re-creates between lists', () => {
  const { cache } = setup({ maxCapacity: 1 << 16 });
  const live = new Map<string, KeyValue>();
  let seed = 7;
  const rand = (n: number) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  for (let round = 0; round < 200; round++) {
    for (let k = rand(20); k >= 0; k--) {
      const key = `/r/${rand(60)}`;
      if (live.has(key) && rand(3) === 0) {
        rev++;
        const e: WatchEvent = { type: 'DELETE', kv: { ...live.get(key)!, modRevision: rev }, prevKv: live.get(key) };
        live.delete(key);
        cache.apply([e], rev);
      } else {
        const e = put(key);
        live.set(key, e.kv);
        cache.apply([e], rev);
      }
    }
    const listed = cache.list('/r/', cache.revision, undefined, undefined).items;
    assert.deepEqual(listed.map((kv) => kv.key), [...live.keys()].sort());
    assert.deepEqual(listed, listed.map((kv) => live.get(kv.key)));
  }
});
