/** @module Tests of the scrape loop: warm-up on first use, a scrape every resolution while used, idle stop, stop(). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NodeBatch } from './batch.js';
import { MetricsCache } from './metrics-cache.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A node whose CPU counter grows by 0.5 core-seconds a second (500m) with the real clock. */
function fakeNode() {
  const calls: number[] = [];
  const start = Date.now();
  const scrape = async (): Promise<ReadonlyMap<string, NodeBatch>> => {
    const now = Date.now();
    calls.push(now);
    return new Map([['n1', { node: { timestampMs: now, cpuSeconds: ((now - start) / 1000) * 0.5, memoryBytes: 4096 }, pods: new Map() }]]);
  };
  return { calls, scrape };
}

test('the first request waits for two scrapes a warm-up apart and gets a rate at once', async () => {
  const n = fakeNode();
  const cache = new MetricsCache({ scrape: n.scrape, warmupMs: 100, resolutionMs: 60_000 });
  try {
    const t0 = Date.now();
    const s = await cache.current();
    assert.equal(n.calls.length, 2);
    assert.ok(Date.now() - t0 >= 100, 'waited for the warm-up');
    const u = s.node('n1');
    assert.ok(u, 'usage after the warm-up');
    assert.ok(Math.abs(u.usage.cpuNanoCores - 500_000_000) < 5_000_000, `cpu ${u.usage.cpuNanoCores}`);
    // Later requests are served from memory.
    await cache.current();
    assert.equal(n.calls.length, 2);
  } finally {
    cache.stop();
  }
});

test('while used it scrapes every resolution; after idleMs without requests it stops and forgets the points', async () => {
  const n = fakeNode();
  const cache = new MetricsCache({ scrape: n.scrape, warmupMs: 10, resolutionMs: 50, idleMs: 120 });
  try {
    await cache.current();
    await sleep(400);
    const count = n.calls.length;
    // Two warm-up scrapes, then one every 50 ms until 120 ms passed without a request.
    assert.ok(count >= 3 && count <= 6, `${count} scrapes`);
    await sleep(200);
    assert.equal(n.calls.length, count, 'no scrape once idle');
    const before = n.calls.length;
    const s = await cache.current();
    assert.equal(n.calls.length, before + 2, 'a new warm-up');
    assert.ok(s.node('n1'));
  } finally {
    cache.stop();
  }
});

test('a failed cycle is reported and keeps the points; stop() ends the loop and requests still answer', async () => {
  const n = fakeNode();
  let fail = false;
  const errors: unknown[] = [];
  const cache = new MetricsCache({
    scrape: () => (fail ? Promise.reject(new Error('store closed')) : n.scrape()),
    onError: (e) => errors.push(e), warmupMs: 10, resolutionMs: 30,
  });
  await cache.current();
  fail = true;
  await sleep(80);
  assert.match(String(errors[0]), /store closed/);
  assert.ok((await cache.current()).node('n1'), 'points kept');
  cache.stop();
  const count = n.calls.length + errors.length;
  await sleep(80);
  assert.equal(n.calls.length + errors.length, count);
  assert.ok(await cache.current());
});
