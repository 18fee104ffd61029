import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Obj } from '../../client/client.js';
import { compareActivePodsWithRanks, podDeletionCost, rankPodsForDeletion } from './active-pods.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const ago = (s: number) => new Date(NOW - s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

interface PodOpts { node?: string; phase?: string; ready?: boolean; readySecondsAgo?: number; cost?: string; restarts?: number;
  createdSecondsAgo?: number; uid?: string }
const pod = (o: PodOpts): Obj => ({
  metadata: { uid: o.uid ?? 'u', creationTimestamp: ago(o.createdSecondsAgo ?? 1000),
    annotations: o.cost === undefined ? undefined : { 'controller.kubernetes.io/pod-deletion-cost': o.cost } },
  spec: { nodeName: o.node },
  status: { phase: o.phase ?? 'Running', containerStatuses: [{ name: 'c', restartCount: o.restarts ?? 0 }],
    conditions: o.ready === false ? [] : [{ type: 'Ready', status: 'True', lastTransitionTime: ago(o.readySecondsAgo ?? 500) }] },
});

const cases: { name: string; first: PodOpts; second: PodOpts; rank?: [number, number] }[] = [
  { name: 'an unassigned pod goes before an assigned one', first: { node: '' }, second: { node: 'n1' } },
  { name: 'Pending goes before Unknown', first: { node: 'n', phase: 'Pending' }, second: { node: 'n', phase: 'Unknown' } },
  { name: 'Unknown goes before Running', first: { node: 'n', phase: 'Unknown' }, second: { node: 'n', phase: 'Running' } },
  { name: 'not ready goes before ready', first: { node: 'n', ready: false }, second: { node: 'n' } },
  { name: 'a lower pod-deletion-cost goes first', first: { node: 'n', cost: '-10' }, second: { node: 'n', cost: '0' } },
  { name: 'a malformed cost counts as 0', first: { node: 'n', cost: 'cheap' }, second: { node: 'n', cost: '1' } },
  { name: 'a pod doubled up with more related pods on its node goes first', first: { node: 'n' }, second: { node: 'm' }, rank: [3, 1] },
  { name: 'ready for less time (another power of two) goes first', first: { node: 'n', readySecondsAgo: 10 }, second: { node: 'n', readySecondsAgo: 5000 } },
  { name: 'more restarts go first', first: { node: 'n', restarts: 5 }, second: { node: 'n', restarts: 1 } },
  { name: 'newer goes before older', first: { node: 'n', createdSecondsAgo: 60 }, second: { node: 'n', createdSecondsAgo: 100_000 } },
  { name: 'creation times within one power of two tie and fall back to UID order',
    first: { node: 'n', createdSecondsAgo: 1000, uid: 'a' }, second: { node: 'n', createdSecondsAgo: 600, uid: 'b' } },
];

for (const c of cases) {
  test(c.name, () => {
    const [ra, rb] = c.rank ?? [0, 0];
    const a = { pod: pod(c.first), rank: ra }, b = { pod: pod(c.second), rank: rb };
    assert.ok(compareActivePodsWithRanks(a, b, NOW) < 0, 'first before second');
    assert.ok(compareActivePodsWithRanks(b, a, NOW) > 0, 'and not the other way round');
  });
}

test('equal pods compare equal', () => {
  assert.equal(compareActivePodsWithRanks({ pod: pod({ node: 'n' }), rank: 0 }, { pod: pod({ node: 'n' }), rank: 0 }, NOW), 0);
});

test('rankPodsForDeletion sorts a mixed set in upstream order', () => {
  const running = pod({ node: 'n', uid: 'running' });
  const pending = pod({ node: 'n', phase: 'Pending', ready: false, uid: 'pending' });
  const unassigned = pod({ node: '', phase: 'Pending', ready: false, uid: 'unassigned' });
  const expensive = pod({ node: 'n', cost: '100', uid: 'expensive' });
  const got = rankPodsForDeletion([expensive, running, pending, unassigned].map((p) => ({ pod: p, rank: 0 })), NOW);
  assert.deepEqual(got.map((p) => p.metadata.uid), ['unassigned', 'pending', 'running', 'expensive']);
});

test('podDeletionCost parses int32 values only', () => {
  assert.equal(podDeletionCost(pod({ cost: '2147483647' })), 2147483647);
  assert.equal(podDeletionCost(pod({ cost: '2147483648' })), 0);
  assert.equal(podDeletionCost(pod({})), 0);
});
