/** @module The disruption controller with the eviction subresource on the in-process cluster: status from a Deployment's scale, 429 at zero. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Obj } from '../../client/client.js';
import { ref } from '../../client/kind-ref.js';
import { startControllerTestKit, type ControllerTestKit } from '../controller-utils/testkit.js';
import { DisruptionController } from './disruption-controller.js';

let kit: ControllerTestKit;
let dc: DisruptionController;
const ns = 'default';
const pods = ref('Pod', ns);
const pdbs = ref('PodDisruptionBudget', ns);

before(async () => {
  kit = await startControllerTestKit();
  dc = new DisruptionController(kit.ctx);
  dc.setup();
  await kit.start();
});
after(() => {
  // The tests call reconcile directly; its rechecks of disrupted pods (addAfter, minutes away) would keep the process alive.
  dc.queue.shutDown();
  return kit.close();
});

const template = { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };
const evict = (name: string) => kit.admin.createSubresource(pods, name, 'eviction',
  { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: ns } });
const statusOf = async (name: string) => (await kit.admin.get(pdbs, name)).status;

async function readyPod(name: string, owner: Obj): Promise<void> {
  const p = await kit.admin.create(pods, { metadata: { name, labels: { app: 'db' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet',
    name: owner.metadata.name, uid: owner.metadata.uid, controller: true }] }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }] } });
  p.status = { phase: 'Running', podIP: '10.4.0.1', conditions: [{ type: 'Ready', status: 'True' }] };
  await kit.admin.updateStatus(pods, p);
}

test('a Deployment-owned budget: expected pods from the Deployment, evictions allowed down to minAvailable, then 429', async () => {
  const d = await kit.admin.create(ref('Deployment', ns), { metadata: { name: 'db' },
    spec: { replicas: 4, selector: { matchLabels: { app: 'db' } }, template } });
  const rs = await kit.admin.create(ref('ReplicaSet', ns), { metadata: { name: 'db-1', labels: { app: 'db' },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'db', uid: d.metadata.uid, controller: true }] },
  spec: { replicas: 3, selector: { matchLabels: { app: 'db' } }, template } });
  for (const n of ['db-a', 'db-b', 'db-c']) await readyPod(n, rs);
  await kit.admin.create(pdbs, { metadata: { name: 'db' }, spec: { minAvailable: '50%', selector: { matchLabels: { app: 'db' } } } });
  await kit.settle();
  await dc.reconcile(`${ns}/db`);
  let s = await statusOf('db');
  assert.deepEqual([s.expectedPods, s.desiredHealthy, s.currentHealthy, s.disruptionsAllowed, s.observedGeneration], [4, 2, 3, 1, 1]);
  assert.deepEqual(s.conditions.map((c: Obj) => [c.type, c.status, c.reason]), [['DisruptionAllowed', 'True', 'SufficientPods']]);

  await evict('db-a');
  s = await statusOf('db');
  assert.equal(s.disruptionsAllowed, 0);
  assert.ok(s.disruptedPods['db-a'], 'the eviction recorded the pod');
  await assert.rejects(evict('db-b'), (e: any) => e.status.code === 429 && /needs 2 healthy pods and has 3 currently/.test(e.status.message));

  // The evicted pod is gone (grace period): the controller drops it from disruptedPods and recounts.
  await kit.admin.delete(pods, 'db-a', { gracePeriodSeconds: 0 });
  await kit.settle();
  await dc.reconcile(`${ns}/db`);
  s = await statusOf('db');
  assert.deepEqual([s.currentHealthy, s.disruptionsAllowed, s.disruptedPods], [2, 0, undefined]);
  assert.deepEqual(s.conditions.map((c: Obj) => [c.status, c.reason]), [['False', 'InsufficientPods']]);
  await assert.rejects(evict('db-b'), (e: any) => e.status.code === 429);
});

test('an eviction that never deleted its pod stops counting after 2 minutes', async () => {
  const rs = await kit.admin.create(ref('ReplicaSet', ns), { metadata: { name: 'solo' },
    spec: { replicas: 2, selector: { matchLabels: { app: 'solo' } }, template: { ...template, metadata: { labels: { app: 'solo' } } } } });
  for (const n of ['solo-a', 'solo-b']) {
    const p = await kit.admin.create(pods, { metadata: { name: n, labels: { app: 'solo' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet',
      name: 'solo', uid: rs.metadata.uid, controller: true }] }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }] } });
    p.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
    await kit.admin.updateStatus(pods, p);
  }
  const pdb = await kit.admin.create(pdbs, { metadata: { name: 'solo' }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'solo' } } } });
  pdb.status = { observedGeneration: 1, disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2,
    disruptedPods: { 'solo-a': new Date(kit.ctx.now() - 1000).toISOString() } };
  await kit.admin.updateStatus(pdbs, pdb);
  await kit.settle();
  await dc.reconcile(`${ns}/solo`);
  let s = await statusOf('solo');
  assert.deepEqual([s.currentHealthy, s.disruptionsAllowed, Object.keys(s.disruptedPods)], [1, 0, ['solo-a']]);

  kit.advance(2 * 60_000);
  await kit.settle();
  await dc.reconcile(`${ns}/solo`);
  s = await statusOf('solo');
  assert.deepEqual([s.currentHealthy, s.disruptionsAllowed, s.disruptedPods], [2, 1, undefined]);
});

test('pods of a controller without a scale subresource fail the sync safely (SyncFailed, no disruptions)', async () => {
  const ds = await kit.admin.create(ref('DaemonSet', ns), { metadata: { name: 'agent' },
    spec: { selector: { matchLabels: { app: 'agent' } }, template: { ...template, metadata: { labels: { app: 'agent' } } } } });
  await kit.admin.create(pods, { metadata: { name: 'agent-a', labels: { app: 'agent' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet',
    name: 'agent', uid: ds.metadata.uid, controller: true }] }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
  await kit.admin.create(pdbs, { metadata: { name: 'agent' }, spec: { maxUnavailable: '10%', selector: { matchLabels: { app: 'agent' } } } });
  await kit.settle();
  await dc.reconcile(`${ns}/agent`);
  const s = await statusOf('agent');
  assert.equal(s.disruptionsAllowed, 0);
  assert.deepEqual(s.conditions.map((c: Obj) => [c.status, c.reason, c.message]),
    [['False', 'SyncFailed', 'daemonsets.apps does not implement the scale subresource']]);
});
