/**
 * @module Work queue metrics under client-go's names (workqueue_depth, workqueue_adds_total,
 * workqueue_retries_total, workqueue_work_duration_seconds), labelled by controller, in the
 * process's prom-client registry (the server's /metrics). Depth and counts are read from the
 * queues when scraped, so adding a key costs no metric update.
 */
import { Counter, Gauge, Histogram } from 'prom-client';
import { processMetric as metric } from '../apimachinery/metrics.js';
import type { WorkQueue } from './workqueue.js';

/** Queues running now, by controller name (tests run several servers in one process: summed). */
const live = new Map<string, Set<WorkQueue<string>>>();
/** Counts of queues that stopped, so the counters never go back. */
const retired = new Map<string, { adds: number; retries: number }>();

function totals(pick: (q: WorkQueue<string>) => number, old: (r: { adds: number; retries: number }) => number): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, r] of retired) out.set(name, old(r));
  for (const [name, queues] of live) {
    let n = out.get(name) ?? 0;
    for (const q of queues) n += pick(q);
    out.set(name, n);
  }
  return out;
}

metric('workqueue_depth', () => new Gauge({
  name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames: ['name'],
  collect() {
    this.reset();
    for (const [name, queues] of live) { let n = 0; for (const q of queues) n += q.len(); this.set({ name }, n); }
  },
}));
metric('workqueue_adds_total', () => new Counter({
  name: 'workqueue_adds_total', help: 'Total number of adds handled by workqueue', labelNames: ['name'],
  collect() { this.reset(); for (const [name, n] of totals((q) => q.addsTotal, (r) => r.adds)) this.inc({ name }, n); },
}));
metric('workqueue_retries_total', () => new Counter({
  name: 'workqueue_retries_total', help: 'Total number of retries handled by workqueue', labelNames: ['name'],
  collect() { this.reset(); for (const [name, n] of totals((q) => q.retriesTotal, (r) => r.retries)) this.inc({ name }, n); },
}));
const workDuration = metric('workqueue_work_duration_seconds', () => new Histogram({
  name: 'workqueue_work_duration_seconds', help: 'How long in seconds processing an item from workqueue takes.', labelNames: ['name'],
  // client-go's buckets: 10 ns × 10^i.
  buckets: Array.from({ length: 10 }, (_, i) => 1e-8 * 10 ** i),
}));

/** Counts `queue` under `name` until the returned function is called; `observe` records one item's processing time. */
export function trackQueue(name: string, queue: WorkQueue<string>): { observe: (seconds: number) => void; untrack: () => void } {
  let set = live.get(name);
  if (!set) live.set(name, (set = new Set()));
  set.add(queue);
  const child = workDuration.labels(name);
  return {
    observe: (seconds) => child.observe(seconds),
    untrack: () => {
      if (!set.delete(queue)) return;
      const r = retired.get(name) ?? { adds: 0, retries: 0 };
      r.adds += queue.addsTotal;
      r.retries += queue.retriesTotal;
      retired.set(name, r);
    },
  };
}
