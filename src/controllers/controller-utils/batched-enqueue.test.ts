import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WorkQueue } from '../../client/workqueue.js';
import { BatchedEnqueue, onlyStatusChanged } from './batched-enqueue.js';

/** A queue whose add/addAfter calls are recorded against a fake clock instead of run. */
function recordingQueue() {
  const calls: { key: string; afterMs: number }[] = [];
  const q = new WorkQueue<string>();
  q.add = (key) => { calls.push({ key, afterMs: 0 }); };
  q.addAfter = (key, ms) => { calls.push({ key, afterMs: ms }); };
  return { q, calls };
}

test('the first event after a quiet period queues at once; a burst waits for the period end, never longer', () => {
  let now = 1_000;
  const { q, calls } = recordingQueue();
  const b = new BatchedEnqueue(q, 250, () => now);
  b.add('ns/a');
  assert.deepEqual(calls.pop(), { key: 'ns/a', afterMs: 0 });
  // A thousand events within the period: each asks for the same due time (period end), not later ones.
  for (let i = 0; i < 1000; i++) {
    now += 0.2;
    b.add('ns/a');
    const c = calls.pop()!;
    assert.ok(c.afterMs > 0 && now + c.afterMs <= 1_250 + 1e-9, `event ${i} due at ${now + c.afterMs}`);
  }
  now = 1_260; // the batch ran at 1_250; an event now waits until 1_500
  b.add('ns/a');
  assert.equal(now + calls.pop()!.afterMs, 1_500);
  now = 2_000; // quiet since: straight in
  b.add('ns/a');
  assert.deepEqual(calls.pop(), { key: 'ns/a', afterMs: 0 });
  b.add('ns/b');
  assert.deepEqual(calls.pop(), { key: 'ns/b', afterMs: 0 }, 'keys are batched separately');
});

test('a batched key reaches the real queue within the period', async () => {
  const q = new WorkQueue<string>();
  const b = new BatchedEnqueue(q, 30);
  b.add('k');
  assert.equal(await q.get(), 'k');
  q.done('k');
  const t0 = performance.now();
  for (let i = 0; i < 50; i++) b.add('k');
  assert.equal(await q.get(), 'k');
  assert.ok(performance.now() - t0 < 200);
  q.shutDown();
});

test('onlyStatusChanged: status and resourceVersion only; spec (generation), labels, owners and deletion are not', () => {
  const base = { metadata: { name: 'a', generation: 1, resourceVersion: '1', labels: { x: '1' } }, status: { replicas: 1 } };
  const next = (m: object, status = { replicas: 2 }) => ({ ...base, metadata: { ...base.metadata, resourceVersion: '2', ...m }, status });
  assert.equal(onlyStatusChanged(base, next({})), true);
  assert.equal(onlyStatusChanged(base, next({ generation: 2 })), false);
  assert.equal(onlyStatusChanged(base, next({ labels: { x: '2' } })), false);
  assert.equal(onlyStatusChanged(base, next({ annotations: { r: '1' } })), false);
  assert.equal(onlyStatusChanged(base, next({ ownerReferences: [{ uid: 'u' }] })), false);
  assert.equal(onlyStatusChanged(base, next({ deletionTimestamp: '2026-01-01T00:00:00Z' })), false);
});

test('the period may depend on the key: each key waits for its own period', () => {
  let now = 0;
  const { q, calls } = recordingQueue();
  const b = new BatchedEnqueue(q, (key) => (key === 'ns/big' ? 1000 : 250), () => now);
  b.add('ns/big');
  b.add('ns/small');
  calls.length = 0;
  now = 10;
  b.add('ns/big');
  b.add('ns/small');
  assert.deepEqual(calls, [{ key: 'ns/big', afterMs: 990 }, { key: 'ns/small', afterMs: 240 }]);
});
