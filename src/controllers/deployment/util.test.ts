import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Obj } from '../../client/client.js';
import {
  equalIgnoreHash, lastRevision, maxSurge, maxUnavailable, newRSNewReplicas, replicaSetProportion, resolveFenceposts,
  scaledValue, setNewReplicaSetAnnotations,
} from './util.js';

const deploy = (replicas: number, surge: number | string, unavailable: number | string): Obj => ({
  metadata: { name: 'web', annotations: {} },
  spec: { replicas, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: surge, maxUnavailable: unavailable } } },
});
const rs = (replicas: number, annotations: Record<string, string> = {}): Obj => ({ metadata: { name: `rs${replicas}`, annotations }, spec: { replicas } });

const fenceposts: { name: string; surge: number | string; unavailable: number | string; desired: number; want: [number, number] }[] = [
  { name: '25%/25% of 10: surge rounds up to 3, unavailable down to 2', surge: '25%', unavailable: '25%', desired: 10, want: [3, 2] },
  { name: '25%/25% of 1: surge 1, unavailable 0', surge: '25%', unavailable: '25%', desired: 1, want: [1, 0] },
  { name: '0/10% of 5: both would be 0, so unavailable becomes 1', surge: 0, unavailable: '10%', desired: 5, want: [0, 1] },
  { name: 'absolute values are taken as they are', surge: 2, unavailable: 3, desired: 10, want: [2, 3] },
  { name: '33% of 10: surge 4, unavailable 3', surge: '33%', unavailable: '33%', desired: 10, want: [4, 3] },
];
for (const c of fenceposts) {
  test(`resolveFenceposts: ${c.name}`, () => assert.deepEqual(resolveFenceposts(c.surge, c.unavailable, c.desired), c.want));
}

test('scaledValue rejects strings that are not percentages', () => {
  assert.throws(() => scaledValue('3', 10, true), /not a percentage/);
});

test('maxUnavailable is capped at replicas, and 0 for Recreate or 0 replicas', () => {
  assert.equal(maxUnavailable(deploy(3, 0, 5)), 3);
  assert.equal(maxUnavailable(deploy(0, 1, 1)), 0);
  assert.equal(maxUnavailable({ metadata: {}, spec: { replicas: 3, strategy: { type: 'Recreate' } } }), 0);
  assert.equal(maxSurge({ metadata: {}, spec: { replicas: 3, strategy: { type: 'Recreate' } } }), 0);
});

const newReplicas: { name: string; d: Obj; old: number; cur: number; want: number }[] = [
  { name: 'room under the surge: scale up by the room', d: deploy(10, '25%', '25%'), old: 10, cur: 0, want: 3 },
  { name: 'at the surge limit: no change', d: deploy(10, '25%', '25%'), old: 10, cur: 3, want: 3 },
  { name: 'never beyond spec.replicas', d: deploy(10, 5, 0), old: 2, cur: 9, want: 10 },
  { name: 'surge 0: waits for old pods to go', d: deploy(4, 0, 1), old: 4, cur: 0, want: 0 },
];
for (const c of newReplicas) {
  test(`newRSNewReplicas: ${c.name}`, () => {
    const n = rs(c.cur);
    assert.equal(newRSNewReplicas(c.d, [rs(c.old), n], n), c.want);
  });
}

test('replicaSetProportion scales by max-replicas before and after, rounding half away from zero', () => {
  const d = deploy(20, 0, 1); // was 10 + 0 surge; now 20
  const old = rs(5, { 'deployment.kubernetes.io/max-replicas': '10' });
  assert.equal(replicaSetProportion(old, d, 10, 0), 5);
  assert.equal(replicaSetProportion(old, d, 3, 0), 3, 'never more than allowed');
  const down = deploy(5, 0, 1);
  assert.equal(replicaSetProportion(rs(3, { 'deployment.kubernetes.io/max-replicas': '10' }), down, -5, 0), -1, '3 × 5/10 = 1.5 rounds to 2');
  assert.equal(replicaSetProportion(rs(3), deploy(0, 0, 1), -3, 0), -3, 'to zero: everything');
});

test('setNewReplicaSetAnnotations bumps the revision, keeps history and copies annotations except the skipped ones', () => {
  const d = deploy(3, 1, 0);
  d.metadata.annotations = { 'kubernetes.io/change-cause': 'v2', 'deployment.kubernetes.io/revision': '9',
    'kubectl.kubernetes.io/last-applied-configuration': '{}' };
  const r = rs(3, { 'deployment.kubernetes.io/revision': '1' });
  assert.equal(setNewReplicaSetAnnotations(d, r, 3, true), true);
  assert.deepEqual(r.metadata.annotations, { 'deployment.kubernetes.io/revision': '3', 'deployment.kubernetes.io/revision-history': '1',
    'kubernetes.io/change-cause': 'v2' });
  assert.equal(setNewReplicaSetAnnotations(d, r, 5, true), true);
  assert.equal(r.metadata.annotations['deployment.kubernetes.io/revision-history'], '1,3');
  assert.equal(setNewReplicaSetAnnotations(d, r, 5, true), false, 'nothing changes a second time');
  const fresh = rs(0);
  setNewReplicaSetAnnotations(d, fresh, 1, false);
  assert.equal(fresh.metadata.annotations['deployment.kubernetes.io/desired-replicas'], '3');
  assert.equal(fresh.metadata.annotations['deployment.kubernetes.io/max-replicas'], '4');
});

test('lastRevision is the second highest', () => {
  const at = (v: string) => rs(1, { 'deployment.kubernetes.io/revision': v });
  assert.equal(lastRevision([at('1'), at('4'), at('2')]), 2);
  assert.equal(lastRevision([at('1')]), 0);
});

test('equalIgnoreHash ignores the pod-template-hash label and empty members only', () => {
  const t = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'a' }] } };
  const hashed = structuredClone(t) as Obj;
  hashed.metadata.labels['pod-template-hash'] = 'abc';
  assert.equal(equalIgnoreHash(t, hashed), true);
  hashed.metadata.creationTimestamp = null; // as kubectl rollout undo sends it
  hashed.spec.containers[0].resources = {};
  assert.equal(equalIgnoreHash(t, hashed), true, 'empty members are ignored');
  hashed.spec.containers[0].image = 'b';
  assert.equal(equalIgnoreHash(t, hashed), false);
});
