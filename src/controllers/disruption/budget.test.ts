/** @module PodDisruptionBudget arithmetic: expected and desired pods, healthy pods, disrupted-pod expiry, status and conditions. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Obj } from '../../client/client.js';
import {
  countHealthyPods, DeletionTimeoutMs, disruptedPodMap, expectedPodCount, failSafeStatus, nextStatus, type ScaleFinder,
} from './budget.js';

const owned = (name: string, ready = true, owner = 'rs-1'): Obj => ({
  metadata: { name, namespace: 'ns', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner, uid: owner, controller: true }] },
  status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});
const scales: Record<string, number> = { 'rs-1': 10, 'rs-2': 5 };
const finder: ScaleFinder = async (ref) => (ref.uid in scales ? { uid: ref.uid, scale: scales[ref.uid] } : undefined);
const pdb = (spec: Obj, status: Obj = {}, generation = 1): Obj => ({ metadata: { name: 'b', namespace: 'ns', generation }, spec, status });

test('expected and desired healthy pods from minAvailable / maxUnavailable (percentages round up)', async () => {
  const pods = [owned('a'), owned('b'), owned('c', true, 'rs-2')];
  const cases: { spec: Obj; expected: number; desired: number }[] = [
    { spec: { minAvailable: 2 }, expected: 3, desired: 2 },
    { spec: { minAvailable: '50%' }, expected: 15, desired: 8 },
    { spec: { minAvailable: '33%' }, expected: 15, desired: 5 },
    { spec: { maxUnavailable: 1 }, expected: 15, desired: 14 },
    { spec: { maxUnavailable: '10%' }, expected: 15, desired: 13 },
    { spec: { maxUnavailable: 20 }, expected: 15, desired: 0 },
    { spec: { maxUnavailable: 0, minAvailable: 1 }, expected: 15, desired: 15 },
  ];
  for (const c of cases) {
    const r = await expectedPodCount(pdb(c.spec), pods, [finder]);
    assert.deepEqual([r.expectedCount, r.desiredHealthy], [c.expected, c.desired], JSON.stringify(c.spec));
  }
});

test('pods without a controller are unmanaged; a controller nobody finds fails the sync', async () => {
  const bare = { metadata: { name: 'bare', namespace: 'ns' }, status: {} };
  const r = await expectedPodCount(pdb({ maxUnavailable: '50%' }), [owned('a'), bare], [finder]);
  assert.deepEqual([r.expectedCount, r.unmanagedPods], [10, ['bare']]);
  await assert.rejects(expectedPodCount(pdb({ minAvailable: '50%' }), [owned('x', true, 'gone')], [finder]), /found no controllers for pod "x"/);
  await assert.rejects(expectedPodCount(pdb({ minAvailable: 'half' }), [owned('a')], [finder]), /string is not a percentage/);
});

test('recently evicted pods are not healthy until 2 min pass; expired entries are dropped and reported', () => {
  const now = Date.parse('2026-01-01T00:10:00Z');
  const at = (msAgo: number) => new Date(now - msAgo).toISOString();
  const pods = [owned('a'), owned('b'), owned('c'), owned('d', false), { ...owned('e'), metadata: { ...owned('e').metadata, deletionTimestamp: at(0) } }];
  const budget = pdb({ minAvailable: 1 }, { disruptedPods: { a: at(30_000), b: at(DeletionTimeoutMs + 1000), e: at(1000) } });
  const { disrupted, recheckAt, notDeleted } = disruptedPodMap(pods, budget, now);
  assert.deepEqual(disrupted, { a: at(30_000) });
  assert.equal(recheckAt, now - 30_000 + DeletionTimeoutMs);
  assert.deepEqual(notDeleted.map((p) => p.metadata.name), ['b']);
  assert.equal(countHealthyPods(pods, disrupted, now), 2, 'b and c (a is being evicted, d unready, e deleting)');
});

test('status: allowed disruptions, observedGeneration and the DisruptionAllowed condition', () => {
  const now = '2026-01-01T00:00:00Z';
  const cases: { counts: [number, number, number]; allowed: number; cond: [string, string] }[] = [
    { counts: [3, 2, 3], allowed: 1, cond: ['True', 'SufficientPods'] },
    { counts: [2, 2, 3], allowed: 0, cond: ['False', 'InsufficientPods'] },
    { counts: [1, 2, 3], allowed: 0, cond: ['False', 'InsufficientPods'] },
    { counts: [3, 0, 0], allowed: 0, cond: ['False', 'InsufficientPods'] },
  ];
  for (const c of cases) {
    const [currentHealthy, desiredHealthy, expectedCount] = c.counts;
    const s = nextStatus(pdb({ minAvailable: 2 }, {}, 4), { currentHealthy, desiredHealthy, expectedCount, disrupted: {} }, now)!;
    assert.equal(s.disruptionsAllowed, c.allowed, JSON.stringify(c.counts));
    assert.equal(s.observedGeneration, 4);
    assert.deepEqual(s.conditions, [{ type: 'DisruptionAllowed', status: c.cond[0], reason: c.cond[1], message: '', observedGeneration: 4, lastTransitionTime: now }]);
    // Written back, the same counts need no update.
    assert.equal(nextStatus(pdb({ minAvailable: 2 }, s, 4), { currentHealthy, desiredHealthy, expectedCount, disrupted: {} }, now), undefined);
  }
  const allowed = nextStatus(pdb({}, {}, 1), { currentHealthy: 3, desiredHealthy: 2, expectedCount: 3, disrupted: {} }, now)!;
  const later = nextStatus(pdb({}, allowed, 1), { currentHealthy: 2, desiredHealthy: 2, expectedCount: 3, disrupted: {} }, '2026-01-01T00:05:00Z')!;
  assert.equal(later.conditions[0].lastTransitionTime, '2026-01-01T00:05:00Z', 'status change moves lastTransitionTime');
  const failed = failSafeStatus(pdb({}, allowed, 2), new Error('boom'), '2026-01-01T00:06:00Z');
  assert.equal(failed.disruptionsAllowed, 0);
  assert.deepEqual(failed.conditions, [{ type: 'DisruptionAllowed', status: 'False', reason: 'SyncFailed', message: 'boom', observedGeneration: 1,
    lastTransitionTime: '2026-01-01T00:06:00Z' }]);
});
