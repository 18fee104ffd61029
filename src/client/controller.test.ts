import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runWorkers } from './controller.js';
import { WorkQueue } from './workqueue.js';

test('workers let timers and I/O run while the queue never empties (a reconcile that resolves without I/O)', async () => {
  const queue = new WorkQueue<string>();
  const ctl = new AbortController();
  let runs = 0;
  const done = runWorkers({
    name: 'busy', queue, workers: 2, signal: ctl.signal,
    reconciler: { reconcile: async (key) => { runs++; queue.add(key); } },
  });
  queue.add('a');
  queue.add('b');
  // Without a turn of the event loop between keys this timer would never fire.
  await new Promise((r) => setTimeout(r, 20));
  const seen = runs;
  ctl.abort();
  await done;
  assert.ok(seen > 2, `the workers ran meanwhile (${seen} reconciles)`);
});

test('work queues are reported under client-go metric names, labelled by controller, also after they stop', async () => {
  const { register } = await import('prom-client');
  const sample = async (metric: string, name: string) => {
    const m = register.getSingleMetric(metric);
    const values = (await m!.get()).values.filter((v) => v.labels.name === name && !('le' in v.labels));
    return values.find((v) => !String((v as { metricName?: string }).metricName ?? '').endsWith('_sum'))?.value;
  };
  const queue = new WorkQueue<string>();
  const ctl = new AbortController();
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  let failed = false;
  let retried!: () => void;
  const retriedOnce = new Promise<void>((r) => { retried = r; });
  const done = runWorkers({
    name: 'metrics-test', queue, workers: 1, signal: ctl.signal,
    reconciler: { reconcile: async (key) => { if (key === 'a') await gate; if (key === 'bad') { if (!failed) { failed = true; throw new Error('no'); } retried(); } } },
  });
  queue.add('a'); queue.add('b'); queue.add('c');
  await new Promise((r) => setImmediate(r));
  assert.equal(await sample('workqueue_depth', 'metrics-test'), 2, 'a in process, b and c waiting');
  release();
  queue.add('bad');
  await retriedOnce;
  ctl.abort();
  await done;
  assert.equal(await sample('workqueue_adds_total', 'metrics-test'), 5, 'a, b, c, bad and its backoff re-add');
  assert.equal(await sample('workqueue_retries_total', 'metrics-test'), 1);
  const count = (await register.getSingleMetric('workqueue_work_duration_seconds')!.get()).values
    .find((v) => v.labels.name === 'metrics-test' && (v as { metricName?: string }).metricName === 'workqueue_work_duration_seconds_count');
  assert.equal(count?.value, 5, 'a, b, c and bad twice were processed');
});
