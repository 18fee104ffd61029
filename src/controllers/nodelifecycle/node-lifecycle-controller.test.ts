/** @module NodeLifecycleController tests: seed nodes and leases, move the clock, run a monitor pass and reconcile, assert status, taints and events. */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import type { Obj } from '../../client/client.js';
import { ref } from '../../client/kind-ref.js';
import { startControllerTestKit, type ControllerTestKit } from '../controller-utils/testkit.js';
import { NodeLifecycleController } from './node-lifecycle-controller.js';

let kit: ControllerTestKit;
let nlc: NodeLifecycleController;
const leases = ref('Lease', 'kube-node-lease');
const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

beforeEach(async () => {
  kit = await startControllerTestKit();
  nlc = new NodeLifecycleController(kit.ctx, { nodeMonitorGracePeriodMs: 40_000 });
  nlc.setup();
});
afterEach(() => kit.close());

async function node(name: string, ready = 'True'): Promise<void> {
  await kit.admin.create(ref('Node'), { metadata: { name }, status: { conditions: [
    { type: 'Ready', status: ready, reason: 'KubeletReady', lastHeartbeatTime: now(), lastTransitionTime: now() }] } });
  await kit.admin.create(leases, { metadata: { name }, spec: { holderIdentity: name, leaseDurationSeconds: 40,
    renewTime: new Date().toISOString().replace('Z', '000Z') } });
}
const getNode = (name: string) => kit.admin.get(ref('Node'), name);
const cond = (n: Obj, type: string) => n.status.conditions.find((c: Obj) => c.type === type);
const taints = (n: Obj) => (n.spec?.taints ?? []).map((t: Obj) => `${t.key}:${t.effect}`).sort();
async function pass(): Promise<void> {
  await kit.settle();
  await nlc.monitorNodeHealth();
  await kit.settle();
  for (const n of ['a', 'b', 'c']) await nlc.reconcile(n);
  await kit.settle();
}

test('a node silent past the grace period becomes Unknown, tainted unreachable; its pods are marked not Ready', async () => {
  for (const n of ['a', 'b', 'c']) await node(n);
  const p = await kit.admin.create(ref('Pod', 'default'), { metadata: { name: 'p' }, spec: { nodeName: 'a', containers: [{ name: 'c', image: 'i' }] } });
  await kit.admin.updateStatus(ref('Pod', 'default'), { ...p, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } });
  await kit.start();
  await pass();
  assert.equal(cond(await getNode('a'), 'Ready').status, 'True');
  kit.advance(30_000);
  // b and c heartbeat (lease renewed); a stays silent.
  for (const n of ['b', 'c']) {
    const l = await kit.admin.get(leases, n);
    await kit.admin.update(leases, { ...l, spec: { ...l.spec, renewTime: new Date(Date.now() + 30_000).toISOString().replace('Z', '000Z') } });
  }
  await pass();
  kit.advance(15_000);
  await pass();
  const a = await getNode('a');
  const ready = cond(a, 'Ready');
  assert.deepEqual([ready.status, ready.reason, ready.message], ['Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.']);
  assert.deepEqual(taints(a), ['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
  assert.ok(a.spec.taints.find((t: Obj) => t.effect === 'NoExecute').timeAdded, 'NoExecute taints carry timeAdded');
  assert.equal(cond(await getNode('b'), 'Ready').status, 'True');
  assert.deepEqual(taints(await getNode('b')), []);
  const pod = await kit.admin.get(ref('Pod', 'default'), 'p');
  assert.equal(cond(pod, 'Ready').status, 'False');
  assert.deepEqual(kit.events.map((e) => [e.object, e.reason, e.message]), [
    ['Node/undefined/a', 'NodeNotReady', 'Node a status is now: NodeNotReady'],
    ['Pod/default/p', 'NodeNotReady', 'Node is not ready'],
  ]);
});

test('a node reporting Ready=False is tainted not-ready; Ready again removes the taints', async () => {
  for (const n of ['a', 'b', 'c']) await node(n, n === 'a' ? 'False' : 'True');
  await kit.start();
  await pass();
  assert.deepEqual(taints(await getNode('a')), ['node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/not-ready:NoSchedule']);
  const a = await getNode('a');
  await kit.admin.patch(ref('Node'), 'a', 'merge', { status: { conditions: [{ ...cond(a, 'Ready'), status: 'True', lastHeartbeatTime: now() }] } },
    { subresource: 'status' });
  await pass();
  assert.deepEqual(taints(await getNode('a')), []);
});

test('when every node of a zone is down, no NoExecute taint is added (full disruption)', async () => {
  for (const n of ['a', 'b', 'c']) await node(n, 'False');
  await kit.start();
  await pass();
  for (const n of ['a', 'b', 'c']) assert.deepEqual(taints(await getNode(n)), ['node.kubernetes.io/not-ready:NoSchedule']);
});

test('user taints and unschedulable are kept; unschedulable gets its NoSchedule taint', async () => {
  for (const n of ['a', 'b', 'c']) await node(n);
  await kit.admin.patch(ref('Node'), 'a', 'merge', { spec: { unschedulable: true, taints: [{ key: 'mine', effect: 'NoSchedule' }] } });
  await kit.start();
  await pass();
  assert.deepEqual(taints(await getNode('a')), ['mine:NoSchedule', 'node.kubernetes.io/unschedulable:NoSchedule']);
});

test('a monitor pass queues the nodes that are not Ready, not every node', async () => {
  for (const n of ['a', 'b']) await node(n);
  await node('c', 'False');
  await kit.start();
  await pass();
  while (nlc.queue.len() > 0) nlc.queue.done((await nlc.queue.get())!);
  await nlc.monitorNodeHealth();
  const queued: string[] = [];
  while (nlc.queue.len() > 0) { const k = (await nlc.queue.get())!; queued.push(k); nlc.queue.done(k); }
  assert.deepEqual(queued, ['c']);
});
