import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StartGate } from './start-gate.js';

/** A start that finishes when told to. */
function deferred() {
  let resolve!: () => void, reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}
const tick = () => new Promise((r) => setImmediate(r));

test('at most `limit` starts run at once; waiting containers go before waiting sandboxes, each kind in order', async () => {
  const gate = new StartGate(2);
  const order: string[] = [];
  const starts = new Map<string, ReturnType<typeof deferred>>();
  const run = (kind: 'sandbox' | 'container', name: string) => gate.run(kind, () => {
    order.push(name);
    const d = deferred();
    starts.set(name, d);
    return d.promise;
  });
  const settled = Promise.allSettled([run('sandbox', 's1'), run('sandbox', 's2'), run('sandbox', 's3'), run('sandbox', 's4'), run('container', 'c1'), run('container', 'c2')]);
  await tick();
  assert.deepEqual(order, ['s1', 's2']);
  starts.get('s1')!.resolve();
  await tick();
  assert.deepEqual(order, ['s1', 's2', 'c1'], 'a waiting container goes before waiting sandboxes');
  starts.get('s2')!.reject(new Error('boom'));
  await tick();
  assert.deepEqual(order, ['s1', 's2', 'c1', 'c2'], 'a failed start frees its place too');
  for (const n of ['c1', 'c2']) starts.get(n)!.resolve();
  await tick();
  assert.deepEqual(order, ['s1', 's2', 'c1', 'c2', 's3', 's4']);
  for (const n of ['s3', 's4']) starts.get(n)!.resolve();
  const results = await settled;
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
  // Free again: the next start runs at once.
  assert.equal(await gate.run('sandbox', async () => 'now'), 'now');
});

test('a limit that is not a positive integer is refused', () => {
  for (const bad of [0, -1, 1.5, NaN]) assert.throws(() => new StartGate(bad), /positive integer/);
  assert.ok(new StartGate().limit >= 2);
});
