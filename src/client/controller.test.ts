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
