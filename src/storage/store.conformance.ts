/**
 * @module The one contract suite every Store runs (Hono's runTest({ newRouter }) style): each
 * backend's test file calls runStoreConformance with a factory. Keys live under a fresh prefix
 * per test, so backends that share one server (etcd) need no cleanup between tests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CompactedError, ConflictError, KeyExistsError, NotFoundError, type KeyValue, type Store, type WatchEvent,
} from './store.js';

export interface ConformanceOptions {
  /** Names the suite in test output. */
  name: string;
  /** A store to test against; it is closed at the end of each test. */
  newStore: () => Promise<Store>;
}

let suiteSeq = 0;

export function runStoreConformance({ name, newStore }: ConformanceOptions): void {
  const suite = `${++suiteSeq}-${process.pid}-${Date.now().toString(36)}`;
  let n = 0;
  /** Runs body with a store and a key prefix of its own. */
  const it = (title: string, body: (s: Store, p: string) => Promise<void>) =>
    test(`${name}: ${title}`, async () => {
      const store = await newStore();
      try {
        await body(store, `/registry/conformance/${suite}/${++n}/`);
      } finally {
        await store.close();
      }
    });

  it('create then get returns the stored version', async (s, p) => {
    const kv = await s.create(`${p}a`, '{"a":1}');
    assert.equal(kv.key, `${p}a`);
    assert.equal(kv.value, '{"a":1}');
    assert.equal(kv.createRevision, kv.modRevision);
    const got = await s.get(`${p}a`);
    assert.deepEqual(got.kv, kv);
    assert.ok(got.revision >= kv.modRevision);
    assert.equal((await s.get(`${p}missing`)).kv, undefined);
  });

  it('create of an existing key throws KeyExistsError', async (s, p) => {
    await s.create(`${p}a`, '1');
    await assert.rejects(s.create(`${p}a`, '2'), KeyExistsError);
    assert.equal((await s.get(`${p}a`)).kv?.value, '1');
  });

  it('update compares and swaps on modRevision', async (s, p) => {
    const v1 = await s.create(`${p}a`, '1');
    const v2 = await s.update(`${p}a`, '2', v1.modRevision);
    assert.ok(v2.modRevision > v1.modRevision);
    assert.equal(v2.createRevision, v1.createRevision);
    assert.equal(v2.value, '2');
    const err = await s.update(`${p}a`, '3', v1.modRevision).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof ConflictError, `want ConflictError, got ${err}`);
    assert.deepEqual(err.current, v2);
    await assert.rejects(s.update(`${p}missing`, '1', v1.modRevision), NotFoundError);
  });

  it('delete returns the last version at the delete revision', async (s, p) => {
    const v1 = await s.create(`${p}a`, '1');
    const gone = await s.delete(`${p}a`);
    assert.equal(gone.value, '1');
    assert.equal(gone.createRevision, v1.createRevision);
    assert.ok(gone.modRevision > v1.modRevision);
    assert.equal((await s.get(`${p}a`)).kv, undefined);
    await assert.rejects(s.delete(`${p}a`), NotFoundError);
    await assert.rejects(s.update(`${p}a`, '2', v1.modRevision), NotFoundError);
    const again = await s.create(`${p}a`, '2');
    assert.equal(again.createRevision, again.modRevision);
    assert.ok(again.modRevision > gone.modRevision);
  });

  it('delete with a stale revision throws ConflictError and keeps the key', async (s, p) => {
    const v1 = await s.create(`${p}a`, '1');
    const v2 = await s.update(`${p}a`, '2', v1.modRevision);
    const err = await s.delete(`${p}a`, v1.modRevision).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof ConflictError, `want ConflictError, got ${err}`);
    assert.deepEqual(err.current, v2);
    assert.equal((await s.delete(`${p}a`, v2.modRevision)).value, '2');
  });

  it('revisions strictly increase and currentRevision is the last write', async (s, p) => {
    const revs: number[] = [];
    for (let i = 0; i < 5; i++) revs.push((await s.create(`${p}k${i}`, String(i))).modRevision);
    for (let i = 1; i < revs.length; i++) assert.ok(revs[i] > revs[i - 1]);
    assert.equal(await s.currentRevision(), revs[revs.length - 1]);
  });

  it('list returns live keys under the prefix in key order, and count agrees', async (s, p) => {
    for (const k of ['b', 'a', 'c/d', 'e']) await s.create(`${p}x/${k}`, k);
    await s.create(`${p}xy`, 'sibling, not under x/');
    await s.create(`${p}x`, 'the prefix without its slash');
    await s.delete(`${p}x/e`);
    const res = await s.list(`${p}x/`);
    assert.deepEqual(res.items.map((kv) => kv.key), [`${p}x/a`, `${p}x/b`, `${p}x/c/d`]);
    assert.equal(res.continue, undefined);
    assert.equal(res.revision, await s.currentRevision());
    assert.equal(await s.count(`${p}x/`), 3);
    assert.equal(await s.count(`${p}none/`), 0);
  });

  it('list pages with limit and continue at one revision', async (s, p) => {
    for (let i = 0; i < 5; i++) await s.create(`${p}k${i}`, String(i));
    const first = await s.list(p, { limit: 2 });
    assert.deepEqual(first.items.map((kv) => kv.value), ['0', '1']);
    assert.equal(first.remainingItemCount, 3);
    assert.ok(first.continue);
    // Writes after the first page must not show in later pages.
    await s.delete(`${p}k3`);
    await s.create(`${p}k5`, '5');
    const second = await s.list(p, { limit: 2, continue: first.continue });
    assert.deepEqual(second.items.map((kv) => kv.value), ['2', '3']);
    assert.equal(second.revision, first.revision);
    assert.equal(second.remainingItemCount, 1);
    const third = await s.list(p, { limit: 2, continue: second.continue });
    assert.deepEqual(third.items.map((kv) => kv.value), ['4']);
    assert.equal(third.continue, undefined);
    assert.equal(third.remainingItemCount, undefined);
    const now = await s.list(p);
    assert.deepEqual(now.items.map((kv) => kv.value), ['0', '1', '2', '4', '5']);
  });

  it('list and get at an older revision see the state then', async (s, p) => {
    const a1 = await s.create(`${p}a`, '1');
    const b1 = await s.create(`${p}b`, '1');
    await s.update(`${p}a`, '2', a1.modRevision);
    await s.delete(`${p}b`);
    await s.create(`${p}c`, '1');
    const then = await s.list(p, { revision: b1.modRevision });
    assert.deepEqual(then.items, [a1, b1]);
    assert.equal(then.revision, b1.modRevision);
    assert.deepEqual((await s.get(`${p}a`, { revision: a1.modRevision })).kv, a1);
    assert.equal((await s.get(`${p}c`, { revision: b1.modRevision })).kv, undefined);
  });

  it('watch replays events after the revision, then follows live writes', async (s, p) => {
    const start = await s.currentRevision();
    const a1 = await s.create(`${p}a`, '1');
    const a2 = await s.update(`${p}a`, '2', a1.modRevision);
    await s.create(`/registry/conformance-other/${suite}/${n}`, 'outside the prefix');
    const ac = new AbortController();
    const it = s.watch(p, start, ac.signal)[Symbol.asyncIterator]();
    try {
      const gone = await s.delete(`${p}a`);
      const b1 = await s.create(`${p}b`, '1');
      const events = await take(it, 4);
      assert.deepEqual(events, [
        { type: 'PUT', kv: a1 },
        { type: 'PUT', kv: a2, prevKv: a1 },
        { type: 'DELETE', kv: gone, prevKv: a2 },
        { type: 'PUT', kv: b1 },
      ]);
    } finally {
      ac.abort();
    }
  });

  it('watch from the current revision sees only later events, in order', async (s, p) => {
    await s.create(`${p}before`, '0');
    const ac = new AbortController();
    const it = s.watch(p, await s.currentRevision(), ac.signal)[Symbol.asyncIterator]();
    try {
      const writes = await Promise.all(Array.from({ length: 20 }, (_, i) => s.create(`${p}k${i}`, String(i))));
      const events = await take(it, 20);
      const sorted = [...writes].sort((x, y) => x.modRevision - y.modRevision);
      assert.deepEqual(events.map((e) => e.kv), sorted);
    } finally {
      ac.abort();
    }
  });

  it('aborting ends the watch', async (s, p) => {
    const ac = new AbortController();
    const done = (async () => {
      let batches = 0;
      for await (const _ of s.watch(p, await s.currentRevision(), ac.signal)) batches++;
      return batches;
    })();
    await s.create(`${p}a`, '1');
    await new Promise((r) => setTimeout(r, 50));
    ac.abort();
    assert.ok((await withTimeout(done, 5000, 'watch did not end after abort')) >= 0);
  });

  it('compaction makes older revisions throw CompactedError', async (s, p) => {
    const a1 = await s.create(`${p}a`, '1');
    const a2 = await s.update(`${p}a`, '2', a1.modRevision);
    const b1 = await s.create(`${p}b`, '1');
    await s.delete(`${p}b`);
    const c1 = await s.create(`${p}c`, '1');
    const page = await s.list(p, { limit: 1, revision: b1.modRevision });
    assert.ok(page.continue);
    await s.compact(c1.modRevision);
    await assert.rejects(s.list(p, { revision: b1.modRevision }), CompactedError);
    await assert.rejects(s.list(p, { limit: 1, continue: page.continue }), CompactedError);
    await assert.rejects(s.get(`${p}a`, { revision: a1.modRevision }), CompactedError);
    await assert.rejects(consume(s.watch(p, b1.modRevision, AbortSignal.timeout(5000))), CompactedError);
    assert.deepEqual((await s.list(p, { revision: c1.modRevision })).items, [a2, c1]);
    assert.deepEqual((await s.list(p)).items, [a2, c1]);
    // Watching from the compacted revision itself still works.
    const ac = new AbortController();
    const it = s.watch(p, c1.modRevision, ac.signal)[Symbol.asyncIterator]();
    try {
      const d1 = await s.create(`${p}d`, '1');
      assert.deepEqual(await take(it, 1), [{ type: 'PUT', kv: d1 }]);
    } finally {
      ac.abort();
    }
  });

  it('only one of concurrent updates at the same revision wins', async (s, p) => {
    const v1 = await s.create(`${p}a`, '0');
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => s.update(`${p}a`, String(i + 1), v1.modRevision)));
    const won = results.filter((r) => r.status === 'fulfilled');
    assert.equal(won.length, 1);
    for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof ConflictError);
    assert.deepEqual((await s.get(`${p}a`)).kv, (won[0] as PromiseFulfilledResult<KeyValue>).value);
    const creates = await Promise.allSettled(Array.from({ length: 10 }, () => s.create(`${p}b`, 'x')));
    assert.equal(creates.filter((r) => r.status === 'fulfilled').length, 1);
  });
}

/** Reads batches until n events arrived (or fails after a timeout). */
async function take(it: AsyncIterator<WatchEvent[]>, n: number): Promise<WatchEvent[]> {
  const out: WatchEvent[] = [];
  while (out.length < n) {
    const r = await withTimeout(it.next(), 5000, `watch delivered ${out.length} of ${n} events`);
    if (r.done) break;
    out.push(...r.value);
  }
  return out;
}

async function consume(iter: AsyncIterable<WatchEvent[]>): Promise<void> {
  for await (const _ of iter) { /* the first iteration throws */ }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms); });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
