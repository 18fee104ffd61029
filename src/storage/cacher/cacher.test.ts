/** @module Cacher: the Store contract over SQLite, plus fan-out, consistent reads and relists. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompactedError, type Store, type WatchEvent } from '../store.js';
import { runStoreConformance } from '../store.conformance.js';
import { SqliteStore } from '../sqlite/sqlite-store.js';
import { Cacher } from './cacher.js';

const dir = mkdtempSync(join(tmpdir(), 'tug-cacher-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const newSqlite = () => SqliteStore.open({ path: join(dir, `state-${++n}.db`) });

runStoreConformance({ name: 'cacher over sqlite', newStore: async () => Cacher.open(await newSqlite()) });

/** Forwards to a real store; counts watches, can delay events or break the watch. */
class Spy {
  watches = 0;
  delayMs = 0;
  breakWith: Error | undefined;
  constructor(readonly inner: Store) {}
  store(): Store {
    const inner = this.inner;
    const spy = this;
    return new Proxy(inner, {
      get(target, prop, receiver) {
        if (prop !== 'watch') return Reflect.get(target, prop, receiver);
        return async function* (prefix: string, afterRevision: number, signal: AbortSignal) {
          spy.watches++;
          for await (const batch of inner.watch(prefix, afterRevision, signal)) {
            if (spy.delayMs) await new Promise((r) => setTimeout(r, spy.delayMs));
            if (spy.breakWith) { const e = spy.breakWith; spy.breakWith = undefined; throw e; }
            yield batch;
          }
        };
      },
    });
  }
}

test('cacher: many watchers share one backing watch', async () => {
  const spy = new Spy(await newSqlite());
  const c = await Cacher.open(spy.store());
  const ac = new AbortController();
  try {
    const iters = Array.from({ length: 50 }, () => c.watch('/registry/a/', 0, ac.signal)[Symbol.asyncIterator]());
    const kv = await c.create('/registry/a/x', '1');
    for (const it of iters) assert.deepEqual((await it.next()).value, [{ type: 'PUT', kv }]);
    assert.equal(spy.watches, 1);
  } finally {
    ac.abort();
    await c.close();
  }
});

test('cacher: a list after an acknowledged write includes it, even when events lag', async () => {
  const spy = new Spy(await newSqlite());
  const c = await Cacher.open(spy.store());
  try {
    spy.delayMs = 50;
    for (let i = 0; i < 5; i++) {
      const kv = await c.create(`/registry/p/${i}`, String(i));
      const res = await c.list('/registry/p/');
      assert.deepEqual(res.items.at(-1), kv);
      assert.ok(res.revision >= kv.modRevision);
    }
    // Writes outside the cached prefix still move the cache's revision along.
    await c.create('/elsewhere/x', '1');
    const t0 = Date.now();
    assert.equal((await c.list('/registry/p/')).items.length, 5);
    assert.ok(Date.now() - t0 < 1000, 'list waited for the timeout instead of catching up');
  } finally {
    await c.close();
  }
});

test('cacher: a watch older than the buffer throws CompactedError', async () => {
  const c = await Cacher.open(await newSqlite(), { minCapacity: 3, maxCapacity: 3 });
  try {
    const first = await c.create('/registry/a', '1');
    for (let i = 0; i < 5; i++) await c.create(`/registry/b${i}`, '1');
    await c.list('/registry/'); // caught up
    await assert.rejects(async () => {
      for await (const _ of c.watch('/registry/', first.modRevision, AbortSignal.timeout(2000))) break;
    }, CompactedError);
    // The backing store still has that history: old lists are answered from there.
    assert.deepEqual((await c.list('/registry/', { revision: first.modRevision })).items, [first]);
  } finally {
    await c.close();
  }
});

test('cacher: after losing its backing watch to compaction it relists and ends its watchers', async () => {
  const spy = new Spy(await newSqlite());
  const c = await Cacher.open(spy.store());
  try {
    const events: WatchEvent[] = [];
    const watching = (async () => {
      for await (const b of c.watch('/registry/', await c.currentRevision(), AbortSignal.timeout(5000))) events.push(...b);
    })();
    spy.breakWith = new CompactedError(1, 2);
    await c.create('/registry/a', '1');
    await assert.rejects(watching, CompactedError);
    const b = await c.create('/registry/b', '1');
    assert.deepEqual((await c.list('/registry/')).items.map((kv) => kv.key), ['/registry/a', '/registry/b']);
    assert.ok((await c.list('/registry/')).revision >= b.modRevision);
  } finally {
    await c.close();
  }
});

test('cacher: a list not older than a revision waits only for that one, and "0" not at all', async () => {
  const spy = new Spy(await newSqlite());
  const c = await Cacher.open(spy.store());
  try {
    const a = await c.create('/registry/p/a', '1');
    await c.list('/registry/p/'); // caught up to a
    spy.delayMs = 300;
    const b = await c.create('/registry/p/b', '1');
    const t0 = Date.now();
    const any = await c.list('/registry/p/', { notOlderThan: 0, limit: 1 });
    assert.ok(Date.now() - t0 < 200, 'waited for a consistent read');
    assert.equal(any.revision, a.modRevision, 'served at the revision the cache had');
    assert.deepEqual(any.items, [a]);
    const fresh = await c.list('/registry/p/', { notOlderThan: b.modRevision });
    assert.ok(fresh.revision >= b.modRevision);
    assert.deepEqual(fresh.items, [a, b]);
  } finally {
    await c.close();
  }
});
