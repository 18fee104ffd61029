/** @module GarbageCollector tests, sample-controller style: seed the cluster, sync the caches, reconcile one uid, assert the writes. */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import type { Obj } from '../../client/client.js';
import { ref } from '../../client/kind-ref.js';
import { startControllerTestKit, type ControllerTestKit } from '../controller-utils/testkit.js';
import { GarbageCollector } from './garbage-collector.js';

let kit: ControllerTestKit;
let gc: GarbageCollector;
const signal = new AbortController().signal;

beforeEach(async () => {
  kit = await startControllerTestKit();
  gc = new GarbageCollector(kit.ctx);
  gc.setup();
});
afterEach(() => kit.close());

const cms = ref('ConfigMap', 'default');
const secrets = ref('Secret', 'default');
const ownerRef = (o: Obj, extra: Obj = {}) => ({ apiVersion: 'v1', kind: o.kind, name: o.metadata.name, uid: o.metadata.uid, ...extra });
const cm = (name: string, owners: Obj[] = []) => kit.admin.create(cms, { metadata: { name, ownerReferences: owners.length ? owners : undefined } });
const secret = (name: string, owners: Obj[] = []) => kit.admin.create(secrets, { metadata: { name, ownerReferences: owners } });
const sync = async () => { await kit.start(); await kit.settle(); kit.actions.length = 0; };
const writes = () => kit.actions.map((a) => `${a.verb} ${a.resource} ${a.name}`);

test('a dependent whose only owner is gone is deleted (background)', async () => {
  const owner = await cm('owner');
  const dep = await secret('dep', [ownerRef(owner)]);
  await kit.admin.delete(cms, 'owner');
  await sync();
  await gc.deleter.reconcile(dep.metadata.uid, signal);
  assert.deepEqual(writes(), ['delete secrets default/dep']);
});

test('a dependent with a live owner stays', async () => {
  const owner = await cm('owner');
  const dep = await secret('dep', [ownerRef(owner)]);
  await sync();
  await gc.deleter.reconcile(dep.metadata.uid, signal);
  assert.deepEqual(writes(), []);
});

test('an owner of the same name but another uid is dangling (checked with a live GET)', async () => {
  const dep = await secret('dep', [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: 'not-the-uid' }]);
  await cm('owner');
  await sync();
  await gc.deleter.reconcile(dep.metadata.uid, signal);
  assert.deepEqual(writes(), ['delete secrets default/dep']);
});

test('with one live and one dangling owner, only the dangling reference is removed', async () => {
  const live = await cm('live');
  const dep = await secret('dep', [ownerRef(live), { apiVersion: 'v1', kind: 'ConfigMap', name: 'gone', uid: 'gone-uid' }]);
  await sync();
  await gc.deleter.reconcile(dep.metadata.uid, signal);
  assert.deepEqual(writes(), ['patch secrets default/dep']);
  const now = await kit.admin.get(secrets, 'dep');
  assert.deepEqual(now.metadata.ownerReferences.map((o: Obj) => o.name), ['live']);
});

test('foreground: the owner waits for blocking dependents, which are deleted; then its finalizer goes', async () => {
  const owner = await cm('owner');
  const blocking = await secret('blocking', [ownerRef(owner, { blockOwnerDeletion: true })]);
  await kit.admin.delete(cms, 'owner', { propagationPolicy: 'Foreground' });
  await sync();
  await gc.deleter.reconcile(owner.metadata.uid, signal);
  assert.deepEqual(writes(), [], 'a blocking dependent keeps the finalizer');
  await gc.deleter.reconcile(blocking.metadata.uid, signal);
  assert.deepEqual(writes(), ['delete secrets default/blocking']);
  await kit.settle();
  await gc.deleter.reconcile(owner.metadata.uid, signal);
  assert.deepEqual(writes(), ['delete secrets default/blocking', 'patch configmaps default/owner']);
  await assert.rejects(kit.admin.get(cms, 'owner'), /not found/);
});

test('foreground: a dependent that has dependents of its own is deleted in the foreground too', async () => {
  const owner = await cm('owner');
  const mid = await cm('mid', [ownerRef(owner, { blockOwnerDeletion: true })]);
  await secret('leaf', [ownerRef(mid, { blockOwnerDeletion: true })]);
  await kit.admin.delete(cms, 'owner', { propagationPolicy: 'Foreground' });
  await sync();
  await gc.deleter.reconcile(mid.metadata.uid, signal);
  const m = await kit.admin.get(cms, 'mid');
  assert.ok(m.metadata.deletionTimestamp);
  assert.deepEqual(m.metadata.finalizers, ['foregroundDeletion']);
  assert.equal(m.metadata.ownerReferences[0].blockOwnerDeletion, true, 'still blocks its owner');
});

test('foreground cycle: a dependent whose own dependent deletes in the foreground unblocks its owners first', async () => {
  const a = await cm('a');
  const b = await cm('b', [ownerRef(a, { blockOwnerDeletion: true })]);
  await kit.admin.patch(cms, 'a', 'merge', { metadata: { ownerReferences: [ownerRef(b, { blockOwnerDeletion: true })] } });
  await kit.admin.delete(cms, 'a', { propagationPolicy: 'Foreground' });
  await sync();
  await gc.deleter.reconcile(b.metadata.uid, signal);
  const got = await kit.admin.get(cms, 'b');
  assert.equal(got.metadata.ownerReferences[0].blockOwnerDeletion, false, 'unblocked');
  assert.deepEqual(got.metadata.finalizers, ['foregroundDeletion']);
});

test('orphan: references to the owner are removed from dependents, then the orphan finalizer', async () => {
  const owner = await cm('owner');
  const other = await cm('other');
  await secret('dep', [ownerRef(owner), ownerRef(other)]);
  await kit.admin.delete(cms, 'owner', { propagationPolicy: 'Orphan' });
  await sync();
  await gc.orphaner.reconcile(owner.metadata.uid, signal);
  assert.deepEqual(writes(), ['patch secrets default/dep', 'patch configmaps default/owner']);
  assert.deepEqual((await kit.admin.get(secrets, 'dep')).metadata.ownerReferences.map((o: Obj) => o.name), ['other']);
  await assert.rejects(kit.admin.get(cms, 'owner'), /not found/);
});

test('a cluster-scoped dependent naming a namespaced owner gets a warning event and is left alone', async () => {
  const pc = await kit.admin.create(ref('PriorityClass'), { metadata: { name: 'pc', ownerReferences: [
    { apiVersion: 'v1', kind: 'ConfigMap', name: 'x', uid: 'u' }] }, value: 10 });
  await sync();
  await gc.deleter.reconcile(pc.metadata.uid, signal);
  assert.deepEqual(writes(), []);
  assert.deepEqual(kit.events.map((e) => [e.type, e.reason, e.message]), [['Warning', 'OwnerRefInvalidNamespace',
    'ownerRef [v1/ConfigMap, namespace: , name: x, uid: u] does not exist in namespace ""']]);
});

test('an owner of an unknown kind is an error (retried with backoff), not a deletion', async () => {
  const dep = await secret('dep', [{ apiVersion: 'example.com/v1', kind: 'Widget', name: 'w', uid: 'u' }]);
  await sync();
  await assert.rejects(gc.deleter.reconcile(dep.metadata.uid, signal), /no resource of kind Widget/);
  assert.deepEqual(writes(), []);
});
