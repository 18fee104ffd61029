/** How long a ReplicaSet's status-only events wait: the base period, longer per pod for large ReplicaSets, capped. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { statusBatchPeriod } from './replica-set-controller.js';

const rs = (spec: number, status?: number) => ({ spec: { replicas: spec }, status: status === undefined ? {} : { replicas: status } });

const cases: { name: string; base: number; rs: ReturnType<typeof rs> | undefined; want: number }[] = [
  { name: 'a small ReplicaSet waits the base period', base: 250, rs: rs(10), want: 250 },
  { name: 'a ReplicaSet gone from the cache waits the base period', base: 250, rs: undefined, want: 250 },
  { name: '1,000 pods wait 1 s', base: 250, rs: rs(1000), want: 1000 },
  { name: 'the larger of spec and status counts (scaling down)', base: 250, rs: rs(0, 1500), want: 1500 },
  { name: 'at most 2 s', base: 250, rs: rs(100_000), want: 2000 },
  { name: 'batching off (0) stays off', base: 0, rs: rs(1000), want: 0 },
  { name: 'a base above the cap is kept', base: 5000, rs: rs(1000), want: 5000 },
];
for (const c of cases) test(c.name, () => assert.equal(statusBatchPeriod(c.base, c.rs), c.want));
