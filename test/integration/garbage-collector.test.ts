/** @module GC and namespace deletion on the in-process cluster with the controllers running: background, foreground and orphan over a ConfigMap → ReplicaSet → Pod chain; a namespace empties, then goes. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Obj } from '../../src/client/client.js';
import { EventBroadcaster } from '../../src/client/events.js';
import { InformerFactory } from '../../src/client/informer.js';
import { ref } from '../../src/client/kind-ref.js';
import { runControllerManager } from '../../src/controllers/manager.js';
import { startHollowNodes, type HollowNodes } from '../../src/kubelet/hollow/hollow-nodes.js';
import { startInProcess, type InProcessCluster } from '../support/in-process.js';
import { waitFor } from '../support/wait-for.js';

let cluster: InProcessCluster;
let hollow: HollowNodes;
const stop = new AbortController();
let manager: Promise<void>;
const client = () => cluster.client('test');

before(async () => {
  cluster = await startInProcess();
  hollow = await startHollowNodes({ client: cluster.client('hollow'), count: 1, prefix: 'gc-', renewIntervalMs: 1000 });
  const c = cluster.client('kube-controller-manager');
  const events = new EventBroadcaster(c);
  manager = runControllerManager({ client: c, informers: new InformerFactory(c), recorder: (n) => events.recorder(n), now: Date.now },
    stop.signal, { enabled: ['garbagecollector', 'namespace'] });
});
after(async () => {
  stop.abort();
  await manager;
  await hollow?.stop();
  await cluster?.close();
});

const cms = (ns: string) => ref('ConfigMap', ns);
const owner = (o: Obj, block = true) => ({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, uid: o.metadata.uid,
  controller: true, blockOwnerDeletion: block });
const gone = (r: ReturnType<typeof ref>, name: string) => client().get(r, name).then(() => false, () => true);

/** A ConfigMap owning a ReplicaSet owning two pods (one bound to a hollow node, one unscheduled). */
async function chain(ns: string, prefix: string): Promise<{ parent: Obj; rs: Obj }> {
  const parent = await client().create(cms(ns), { metadata: { name: `${prefix}-parent` } });
  const rs = await client().create(ref('ReplicaSet', ns), { metadata: { name: `${prefix}-rs`, ownerReferences: [owner(parent)] },
    spec: { replicas: 0, selector: { matchLabels: { app: prefix } }, template: { metadata: { labels: { app: prefix } },
      spec: { containers: [{ name: 'c', image: 'i' }] } } } });
  for (const [i, nodeName] of [[0, 'gc-0'], [1, undefined]] as const) {
    await client().create(ref('Pod', ns), { metadata: { name: `${prefix}-pod-${i}`, labels: { app: prefix }, ownerReferences: [owner(rs)] },
      spec: { nodeName, containers: [{ name: 'c', image: 'i' }] } });
  }
  return { parent, rs };
}

test('background: deleting the parent removes the ReplicaSet, then its pods', async () => {
  await chain('default', 'bg');
  await client().delete(cms('default'), 'bg-parent', { propagationPolicy: 'Background' });
  await waitFor(() => gone(ref('ReplicaSet', 'default'), 'bg-rs'), 'ReplicaSet collected');
  await waitFor(async () => (await gone(ref('Pod', 'default'), 'bg-pod-0')) && gone(ref('Pod', 'default'), 'bg-pod-1'), 'pods collected');
});

test('foreground: the parent stays (foregroundDeletion) until its dependents are gone, then goes', async () => {
  await chain('default', 'fg');
  await client().delete(cms('default'), 'fg-parent', { propagationPolicy: 'Foreground' });
  const parent = await client().get(cms('default'), 'fg-parent').catch(() => undefined);
  if (parent) assert.deepEqual(parent.metadata.finalizers, ['foregroundDeletion']);
  await waitFor(() => gone(cms('default'), 'fg-parent'), 'parent removed last');
  assert.ok(await gone(ref('ReplicaSet', 'default'), 'fg-rs'), 'the ReplicaSet went before the parent');
  assert.ok(await gone(ref('Pod', 'default'), 'fg-pod-0'), 'the pods went before the parent');
});

test('orphan: the parent goes, the ReplicaSet stays without its ownerReference, its pods stay owned by it', async () => {
  await chain('default', 'or');
  await client().delete(cms('default'), 'or-parent', { propagationPolicy: 'Orphan' });
  await waitFor(() => gone(cms('default'), 'or-parent'), 'parent removed');
  const rs = await client().get(ref('ReplicaSet', 'default'), 'or-rs');
  assert.equal(rs.metadata.ownerReferences, undefined);
  assert.equal((await client().get(ref('Pod', 'default'), 'or-pod-0')).metadata.ownerReferences[0].name, 'or-rs');
});

test('circular ownerReferences are collected without a hot loop', async () => {
  const a = await client().create(cms('default'), { metadata: { name: 'cyc-a' } });
  const b = await client().create(cms('default'), { metadata: { name: 'cyc-b', ownerReferences: [owner(a)] } });
  await client().patch(cms('default'), 'cyc-a', 'merge', { metadata: { ownerReferences: [owner(b)] } });
  await client().delete(cms('default'), 'cyc-a', { propagationPolicy: 'Foreground' });
  await waitFor(async () => (await gone(cms('default'), 'cyc-a')) && gone(cms('default'), 'cyc-b'), 'both collected');
});

test('deleting a namespace empties it, then removes it', async () => {
  await client().create(ref('Namespace'), { metadata: { name: 'doomed' } });
  await chain('doomed', 'ns');
  await client().create(ref('Secret', 'doomed'), { metadata: { name: 's' } });
  const deleting = await client().delete(ref('Namespace'), 'doomed');
  assert.equal(deleting.status.phase, 'Terminating');
  await waitFor(() => gone(ref('Namespace'), 'doomed'), 'namespace removed', 20_000);
  for (const t of ['ConfigMap', 'ReplicaSet', 'Pod', 'Secret']) assert.deepEqual((await client().list(ref(t, 'doomed'))).items, [], t);
});
