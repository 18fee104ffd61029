import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue } from './workqueue.js';

test('a key added twice is processed once', async () => {
  const q = new WorkQueue();
  q.add('a'); q.add('a'); q.add('b');
  assert.equal(q.len(), 2);
  assert.equal(await q.get(), 'a');
  assert.equal(await q.get(), 'b');
});

test('a key added while being processed runs again after done, never concurrently', async () => {
  const q = new WorkQueue();
  q.add('a');
  const k = await q.get();
  q.add('a');
  assert.equal(q.len(), 0, 'not handed to a second worker while in process');
  q.done(k!);
  assert.equal(await q.get(), 'a');
});

test('a waiting worker receives a key added later', async () => {
  const q = new WorkQueue();
  const p = q.get();
  q.add('x');
  assert.equal(await p, 'x');
});

test('rate-limited adds back off exponentially until forget', async () => {
  const q = new WorkQueue({ baseDelayMs: 20 });
  q.addRateLimited('a');
  q.addRateLimited('a');
  assert.equal(q.numRequeues('a'), 2);
  const t0 = Date.now();
  assert.equal(await q.get(), 'a');
  assert.ok(Date.now() - t0 >= 15, 'the first add waited its backoff');
  q.forget('a');
  assert.equal(q.numRequeues('a'), 0);
});

test('shutDown releases waiting workers with undefined', async () => {
  const q = new WorkQueue();
  const p = q.get();
  q.shutDown();
  assert.equal(await p, undefined);
  q.add('late');
  assert.equal(q.len(), 0);
});

test('keys come out in the order they went in across many adds and gets (the queue compacts its front)', async () => {
  const q = new WorkQueue();
  let next = 0;
  let expected = 0;
  // Interleave bursts of adds and gets so the front is dropped many times mid-stream.
  for (let round = 0; round < 50; round++) {
    for (let i = 0; i < 3000; i++) q.add(`k${next++}`);
    for (let i = 0; i < 2500; i++) {
      const k = await q.get();
      assert.equal(k, `k${expected++}`);
      q.done(k!);
    }
  }
  assert.equal(q.len(), next - expected);
  while (q.len() > 0) assert.equal(await q.get(), `k${expected++}`);
  assert.equal(expected, next);
});

test('adds and retries are counted: a key already waiting is not a new add', () => {
  const q = new WorkQueue({ baseDelayMs: 1000 });
  q.add('a'); q.add('a'); q.add('b');
  q.addRateLimited('c');
  q.shutDown();
  assert.equal(q.addsTotal, 2);
  assert.equal(q.retriesTotal, 1);
});
