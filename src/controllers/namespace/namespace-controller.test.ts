/** @module NamespaceController tests, sample-controller style: seed a terminating namespace, reconcile it, assert writes and status. */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import type { Obj } from '../../client/client.js';
import { ref } from '../../client/kind-ref.js';
import { startControllerTestKit, type ControllerTestKit } from '../controller-utils/testkit.js';
import { NamespaceController } from './namespace-controller.js';

let kit: ControllerTestKit;
let nc: NamespaceController;
const signal = new AbortController().signal;

beforeEach(async () => {
  kit = await startControllerTestKit();
  nc = new NamespaceController(kit.ctx);
  nc.setup();
  await kit.admin.create(ref('Namespace'), { metadata: { name: 'doomed' } });
});
afterEach(() => kit.close());

const nsRef = ref('Namespace');
const writes = () => kit.actions.map((a) => `${a.verb} ${a.resource} ${a.name}`);
const conditions = (ns: Obj) => Object.fromEntries((ns.status.conditions ?? []).map((c: Obj) => [c.type, [c.status, c.reason, c.message]]));

test('deleting a namespace marks it Terminating and keeps it while its kubernetes finalizer stays', async () => {
  await kit.admin.create(ref('ConfigMap', 'doomed'), { metadata: { name: 'a' } });
  await kit.admin.delete(nsRef, 'doomed');
  const ns = await kit.admin.get(nsRef, 'doomed');
  assert.ok(ns.metadata.deletionTimestamp);
  assert.equal(ns.status.phase, 'Terminating');
  assert.deepEqual(ns.spec.finalizers, ['kubernetes']);
});

test('an active namespace is left alone', async () => {
  await kit.admin.create(ref('ConfigMap', 'doomed'), { metadata: { name: 'a' } });
  await nc.reconcile('doomed');
  assert.deepEqual(writes(), []);
});

test('the controller deletes all content, sets the ok conditions, then finalizes; the namespace is gone', async () => {
  await kit.admin.create(ref('ConfigMap', 'doomed'), { metadata: { name: 'a' } });
  await kit.admin.create(ref('Secret', 'doomed'), { metadata: { name: 's' } });
  await kit.admin.create(ref('Deployment', 'doomed'), { metadata: { name: 'd' }, spec: { selector: { matchLabels: { a: 'b' } },
    template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } });
  await kit.admin.delete(nsRef, 'doomed');
  const r = await nc.reconcile('doomed');
  assert.equal(r, undefined);
  const w = writes();
  for (const x of ['delete configmaps doomed/a', 'delete secrets doomed/s', 'delete deployments doomed/d', 'update namespaces/status /doomed',
    'update namespaces/finalize /doomed']) assert.ok(w.includes(x), `${x} in ${w.join(', ')}`);
  assert.ok(w.indexOf('update namespaces/finalize /doomed') > w.indexOf('delete configmaps doomed/a'), 'finalized after emptying');
  await assert.rejects(kit.admin.get(nsRef, 'doomed'), /not found/);
});

test('content held by a finalizer: conditions say so and the namespace waits', async () => {
  await kit.admin.create(ref('ConfigMap', 'doomed'), { metadata: { name: 'held', finalizers: ['example.com/hold'] } });
  await kit.admin.delete(nsRef, 'doomed');
  const r = await nc.reconcile('doomed');
  assert.deepEqual(r, { requeueAfterMs: 8000 }, '15 s estimate → 15/2 + 1 s');
  const ns = await kit.admin.get(nsRef, 'doomed');
  assert.deepEqual(ns.spec.finalizers, ['kubernetes']);
  const c = conditions(ns);
  assert.deepEqual(c.NamespaceContentRemaining, ['True', 'SomeResourcesRemain', 'Some resources are remaining: configmaps. has 1 resource instances']);
  assert.deepEqual(c.NamespaceFinalizersRemaining, ['True', 'SomeFinalizersRemain',
    'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances']);
  assert.deepEqual(c.NamespaceDeletionContentFailure, ['False', 'ContentDeleted', 'All content successfully deleted, may be waiting on finalization']);
  assert.deepEqual(c.NamespaceDeletionDiscoveryFailure, ['False', 'ResourcesDiscovered', 'All resources successfully discovered']);

  await kit.admin.patch(ref('ConfigMap', 'doomed'), 'held', 'merge', { metadata: { finalizers: null } });
  assert.equal(await nc.reconcile('doomed'), undefined);
  await assert.rejects(kit.admin.get(nsRef, 'doomed'), /not found/);
});

test('pods bound to a node wait for it: requeued after half their grace period', async () => {
  await kit.admin.create(ref('Pod', 'doomed'), { metadata: { name: 'p' },
    spec: { nodeName: 'n1', terminationGracePeriodSeconds: 10, containers: [{ name: 'c', image: 'i' }] } });
  await kit.admin.delete(nsRef, 'doomed');
  assert.deepEqual(await nc.reconcile('doomed'), { requeueAfterMs: 6000 });
  assert.ok((await kit.admin.get(ref('Pod', 'doomed'), 'p')).metadata.deletionTimestamp);
  assert.equal(conditions(await kit.admin.get(nsRef, 'doomed')).NamespaceContentRemaining[0], 'True');
});

test('a main-resource update cannot drop spec.finalizers; only the finalize subresource can', async () => {
  const ns = await kit.admin.get(nsRef, 'doomed');
  const updated = await kit.admin.update(nsRef, { ...ns, spec: { finalizers: [] } });
  assert.deepEqual(updated.spec.finalizers, ['kubernetes']);
});
