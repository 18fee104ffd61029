import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SyncRunner } from './sync-runner.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a burst of requests shares one sync; requests during a sync give exactly one more', async (t) => {
  let runs = 0;
  const r = new SyncRunner(async () => { runs++; await sleep(30); }, { minIntervalMs: 50, periodMs: 60_000, maxBackoffMs: 1000, onError: () => {} });
  t.after(() => r.stop());
  for (let i = 0; i < 10; i++) r.request();
  await sleep(20);
  assert.equal(runs, 1);
  for (let i = 0; i < 10; i++) r.request(); // while it runs
  await sleep(150);
  assert.equal(runs, 2);
  await sleep(100);
  assert.equal(runs, 2, 'no sync without a request before the period');
});

test('a failed sync is logged and retried with growing back-off until it succeeds', async (t) => {
  const starts: number[] = [];
  const errors: number[] = [];
  const r = new SyncRunner(async () => {
    starts.push(Date.now());
    if (starts.length < 3) throw new Error('nft: boom');
  }, { minIntervalMs: 10, periodMs: 60_000, maxBackoffMs: 5000, onError: (_e, retryInMs) => errors.push(retryInMs) });
  t.after(() => r.stop());
  r.request();
  await sleep(2000);
  assert.equal(starts.length, 3);
  assert.deepEqual(errors, [500, 1000]);
  assert.ok(starts[2] - starts[1] >= 950, `second retry after ${starts[2] - starts[1]} ms`);
  r.request(); // asks still work after recovery
  await sleep(50);
  assert.equal(starts.length, 4);
});
