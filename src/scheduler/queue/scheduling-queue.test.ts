/** @module Tests for the scheduling queue: priority order, backoff, unschedulable pods retried on events and on timeout. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makePod } from '../testing/builders.js';
import { SchedulingQueue } from './scheduling-queue.js';

function clockedQueue() {
  const clock = { now: 1_000_000 };
  const q = new SchedulingQueue({ now: () => clock.now });
  return { q, clock };
}

const created = (name: string, priority: number, ts: string) => {
  const p = makePod({ name, priority });
  return { ...p, metadata: { ...p.metadata, creationTimestamp: ts } };
};

test('pods come out by priority, then by creation time', async () => {
  const { q } = clockedQueue();
  q.add(created('late-low', 0, '2026-01-01T00:00:02Z'));
  q.add(created('high', 100, '2026-01-01T00:00:03Z'));
  q.add(created('early-low', 0, '2026-01-01T00:00:01Z'));
  const order = [];
  for (let i = 0; i < 3; i++) order.push((await q.pop())!.info.name);
  assert.deepEqual(order, ['high', 'early-low', 'late-low']);
});

test('a failed pod backs off 1 s, then 2 s, capped at 10 s', async () => {
  const { q, clock } = clockedQueue();
  q.add(makePod({ name: 'p' }));
  const expect = [1000, 2000, 4000, 8000, 10_000, 10_000];
  for (const wait of expect) {
    const qi = (await q.pop())!;
    q.addUnschedulable({ ...qi, unschedulablePlugins: new Set() }, q.cycle); // an error: straight to backoff
    clock.now += wait - 1;
    q.flushBackoffCompleted();
    assert.equal(q.lengths().active, 0, `still backing off before ${wait} ms`);
    clock.now += 1;
    q.flushBackoffCompleted();
    assert.equal(q.lengths().active, 1, `active after ${wait} ms`);
  }
});

test('an unschedulable pod waits until a node is added, then goes to activeQ once its backoff is over', async () => {
  const { q, clock } = clockedQueue();
  q.add(makePod({ name: 'p' }));
  const qi = (await q.pop())!;
  const cycle = q.cycle;
  q.addUnschedulable({ ...qi, unschedulablePlugins: new Set(['NodeResourcesFit']) }, cycle);
  assert.deepEqual(q.lengths(), { active: 0, backoff: 0, unschedulable: 1 });
  clock.now += 5000;
  q.moveAllToActiveOrBackoff('NodeAdd');
  assert.deepEqual(q.lengths(), { active: 1, backoff: 0, unschedulable: 0 });
});

test('a pod moved while still backing off goes to backoffQ', async () => {
  const { q } = clockedQueue();
  q.add(makePod({ name: 'p' }));
  const qi = (await q.pop())!;
  q.addUnschedulable({ ...qi, unschedulablePlugins: new Set(['NodeResourcesFit']) }, q.cycle);
  q.moveAllToActiveOrBackoff('NodeAdd');
  assert.deepEqual(q.lengths(), { active: 0, backoff: 1, unschedulable: 0 });
});

test('a new assigned pod only moves pods rejected by affinity or spread', async () => {
  const { q, clock } = clockedQueue();
  q.add(makePod({ name: 'fit' }));
  q.add(makePod({ name: 'affinity' }));
  for (const plugin of ['NodeResourcesFit', 'InterPodAffinity']) {
    const qi = (await q.pop())!;
    q.addUnschedulable({ ...qi, unschedulablePlugins: new Set([plugin]) }, q.cycle);
  }
  clock.now += 60_000;
  q.moveAllToActiveOrBackoff('AssignedPodAdd');
  assert.deepEqual(q.lengths(), { active: 1, backoff: 0, unschedulable: 1 });
  assert.equal((await q.pop())!.info.name, 'affinity');
});

test('an event during the pod cycle sends its failure to backoff instead of the unschedulable pool', async () => {
  const { q } = clockedQueue();
  q.add(makePod({ name: 'p' }));
  const qi = (await q.pop())!;
  const cycle = q.cycle;
  q.moveAllToActiveOrBackoff('NodeAdd');
  q.addUnschedulable({ ...qi, unschedulablePlugins: new Set(['NodeResourcesFit']) }, cycle);
  assert.deepEqual(q.lengths(), { active: 0, backoff: 1, unschedulable: 0 });
});

test('unschedulable pods are retried after 60 s without any event', async () => {
  const { q, clock } = clockedQueue();
  q.add(makePod({ name: 'p' }));
  const qi = (await q.pop())!;
  q.addUnschedulable({ ...qi, unschedulablePlugins: new Set(['NodeResourcesFit']) }, q.cycle);
  clock.now += 59_999;
  q.flushUnschedulableLeftover();
  assert.equal(q.lengths().unschedulable, 1);
  clock.now += 1;
  q.flushUnschedulableLeftover();
  assert.deepEqual(q.lengths(), { active: 1, backoff: 0, unschedulable: 0 });
});

test('a status-only update leaves an unschedulable pod in the pool; a spec change retries it', async () => {
  const { q, clock } = clockedQueue();
  const pod = makePod({ name: 'p' });
  q.add(pod);
  const qi = (await q.pop())!;
  q.addUnschedulable({ ...qi, unschedulablePlugins: new Set(['NodeAffinity']) }, q.cycle);
  clock.now += 20_000;
  q.update({ ...pod, status: { conditions: [{ type: 'PodScheduled', status: 'False' }] } });
  assert.equal(q.lengths().unschedulable, 1);
  q.update({ ...pod, spec: { ...pod.spec!, nodeSelector: { disk: 'ssd' } } });
  assert.deepEqual(q.lengths(), { active: 1, backoff: 0, unschedulable: 0 });
});

test('a deleted pod leaves every queue', async () => {
  const { q } = clockedQueue();
  const pod = makePod({ name: 'p' });
  q.add(pod);
  q.delete(pod);
  assert.deepEqual(q.lengths(), { active: 0, backoff: 0, unschedulable: 0 });
});
