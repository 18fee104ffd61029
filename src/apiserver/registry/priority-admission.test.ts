import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { lookupResource } from '../../api/scheme.js';
import { startInProcess, type InProcessCluster } from '../../../test/support/in-process.js';

const pods = { type: lookupResource('', 'v1', 'pods')!, namespace: 'default' };
const classes = { type: lookupResource('scheduling.k8s.io', 'v1', 'priorityclasses')! };
const pod = (name: string, spec: Record<string, unknown> = {}) =>
  ({ metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec } });

let cluster: InProcessCluster;
before(async () => { cluster = await startInProcess(); });
after(async () => { await cluster.close(); });

test('a named PriorityClass sets the pod priority and preemption policy', async () => {
  const c = cluster.client();
  await c.create(classes, { metadata: { name: 'high' }, value: 1000, preemptionPolicy: 'Never' });
  const p = await c.create(pods, pod('a', { priorityClassName: 'high' }));
  assert.equal(p.spec.priority, 1000);
  assert.equal(p.spec.preemptionPolicy, 'Never');
});

test('a missing PriorityClass is refused with 403 and upstream wording', async () => {
  await assert.rejects(cluster.client().create(pods, pod('b', { priorityClassName: 'nope' })),
    (e: any) => e.code === 403 && /no PriorityClass with name nope was found/.test(e.message));
});

test('system classes exist without being created', async () => {
  const p = await cluster.client().create(pods, pod('c', { priorityClassName: 'system-cluster-critical' }));
  assert.equal(p.spec.priority, 2000000000);
});

test('the global default class applies to pods that name none', async () => {
  const c = cluster.client();
  await c.create(classes, { metadata: { name: 'default-prio' }, value: 7, globalDefault: true });
  const p = await c.create(pods, pod('d'));
  assert.equal(p.spec.priorityClassName, 'default-prio');
  assert.equal(p.spec.priority, 7);
});
