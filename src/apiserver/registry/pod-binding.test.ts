import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { lookupResource } from '../../api/scheme.js';
import { startInProcess, type InProcessCluster } from '../../../test/support/in-process.js';

const pods = { type: lookupResource('', 'v1', 'pods')!, namespace: 'default' };
const pod = (name: string) => ({ metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
const binding = (name: string, node: string, meta: Record<string, unknown> = {}) =>
  ({ apiVersion: 'v1', kind: 'Binding', metadata: { name, ...meta }, target: { apiVersion: 'v1', kind: 'Node', name: node } });

let cluster: InProcessCluster;
before(async () => { cluster = await startInProcess(); });
after(async () => { await cluster.close(); });

test('a binding sets nodeName, PodScheduled=True and the annotations, and bumps the resourceVersion', async () => {
  const c = cluster.client('kubectl');
  const created = await c.create(pods, pod('a'));
  await c.createSubresource(pods, 'a', 'binding', binding('a', 'node-1', { annotations: { note: 'x' } }));
  const got = await c.get(pods, 'a');
  assert.equal(got.spec.nodeName, 'node-1');
  assert.equal(got.metadata.annotations.note, 'x');
  const cond = got.status.conditions.find((x: any) => x.type === 'PodScheduled');
  assert.equal(cond.status, 'True');
  assert.ok(Number(got.metadata.resourceVersion) > Number(created.metadata.resourceVersion));
  // Like upstream, the binding records no managedFields entry of its own.
  assert.deepEqual(got.metadata.managedFields, created.metadata.managedFields);
});

test('binding an assigned pod is a 409 naming the node', async () => {
  const c = cluster.client();
  await c.create(pods, pod('b'));
  await c.createSubresource(pods, 'b', 'binding', binding('b', 'node-1'));
  await assert.rejects(c.createSubresource(pods, 'b', 'binding', binding('b', 'node-2')),
    (e: any) => e.code === 409 && /pod b is already assigned to node "node-1"/.test(e.message));
  assert.equal((await c.get(pods, 'b')).spec.nodeName, 'node-1');
});

test('uid and resourceVersion in the Binding are preconditions', async () => {
  const c = cluster.client();
  const p = await c.create(pods, pod('c'));
  await assert.rejects(c.createSubresource(pods, 'c', 'binding', binding('c', 'n', { uid: 'other' })), (e: any) => e.code === 409);
  await assert.rejects(c.createSubresource(pods, 'c', 'binding', binding('c', 'n', { resourceVersion: '1' })), (e: any) => e.code === 409);
  await c.createSubresource(pods, 'c', 'binding', binding('c', 'n', { uid: p.metadata.uid, resourceVersion: p.metadata.resourceVersion }));
  assert.equal((await c.get(pods, 'c')).spec.nodeName, 'n');
});

test('a missing pod is a 404; a missing target a 400', async () => {
  const c = cluster.client();
  await assert.rejects(c.createSubresource(pods, 'nope', 'binding', binding('nope', 'n')), (e: any) => e.code === 404);
  await c.create(pods, pod('d'));
  await assert.rejects(c.createSubresource(pods, 'd', 'binding', { metadata: { name: 'd' }, target: {} }), (e: any) => e.code === 400);
});

test('concurrent bindings of one pod: exactly one wins', async () => {
  const c = cluster.client();
  await c.create(pods, pod('e'));
  const results = await Promise.allSettled(['n1', 'n2', 'n3'].map((n) => c.createSubresource(pods, 'e', 'binding', binding('e', n))));
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  const won = ['n1', 'n2', 'n3'][results.findIndex((r) => r.status === 'fulfilled')];
  assert.equal((await c.get(pods, 'e')).spec.nodeName, won);
});
