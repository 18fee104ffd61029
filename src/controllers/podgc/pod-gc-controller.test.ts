/** @module PodGCController tests: seed pods and nodes, run one gc() pass with a movable clock, assert the deletions. */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import type { Obj } from '../../client/client.js';
import { ref } from '../../client/kind-ref.js';
import { startControllerTestKit, type ControllerTestKit } from '../controller-utils/testkit.js';
import { PodGCController } from './pod-gc-controller.js';

let kit: ControllerTestKit;
const pods = ref('Pod', 'default');

beforeEach(async () => { kit = await startControllerTestKit(); });
afterEach(() => kit.close());

const newGC = (o: Partial<ConstructorParameters<typeof PodGCController>[1]> = {}) => {
  const gc = new PodGCController(kit.ctx, o);
  gc.setup();
  return gc;
};
const node = (name: string, ready = true, taints?: Obj[]) => kit.admin.create(ref('Node'), { metadata: { name }, spec: { taints },
  status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } });
async function pod(name: string, o: { node?: string; phase?: string; reason?: string } = {}): Promise<Obj> {
  const p = await kit.admin.create(pods, { metadata: { name }, spec: { nodeName: o.node, containers: [{ name: 'c', image: 'i' }] } });
  if (!o.phase) return p;
  return kit.admin.updateStatus(pods, { ...p, status: { ...p.status, phase: o.phase, reason: o.reason } });
}
const sync = async () => { await kit.start(); await kit.settle(); kit.actions.length = 0; };
const deleted = () => kit.actions.filter((a) => a.verb === 'delete').map((a) => a.name).sort();

test('terminated pods beyond the threshold go, evicted then oldest first; running pods stay', async () => {
  await node('n1');
  await pod('old', { node: 'n1', phase: 'Succeeded' });
  await new Promise((r) => setTimeout(r, 1100)); // creationTimestamp has a one-second resolution
  await pod('evicted', { node: 'n1', phase: 'Failed', reason: 'Evicted' });
  await pod('new', { node: 'n1', phase: 'Succeeded' });
  await pod('running', { node: 'n1' });
  const gc = newGC({ terminatedPodThreshold: 1 });
  await sync();
  await gc.gc();
  assert.deepEqual(deleted(), ['default/evicted', 'default/old']);
});

test('pods of a missing node are deleted only after the quarantine and a live check', async () => {
  await pod('orphan', { node: 'gone' });
  await pod('fine', { node: 'n1' });
  await node('n1');
  const gc = newGC({ quarantineMs: 40_000 });
  await sync();
  await gc.gc();
  kit.advance(39_000);
  await gc.gc();
  assert.deepEqual(deleted(), [], 'still in quarantine');
  kit.advance(2_000);
  await gc.gc();
  assert.deepEqual(deleted(), ['default/orphan']);
  const status = kit.actions.find((a) => a.resource === 'pods/status')!.body as Obj;
  assert.equal(status.phase, 'Failed');
  const c = status.conditions.find((x: Obj) => x.type === 'DisruptionTarget');
  assert.deepEqual([c.status, c.reason, c.message], ['True', 'DeletionByPodGC', 'PodGC: node no longer exists']);
});

test('a node that reappears during the quarantine saves its pods', async () => {
  await pod('p', { node: 'late' });
  const gc = newGC({ quarantineMs: 1000 });
  await sync();
  await gc.gc();
  await node('late');
  kit.advance(5000);
  await gc.gc();
  assert.deepEqual(deleted(), []);
});

test('terminating pods never scheduled are force-deleted', async () => {
  await pod('unscheduled');
  await kit.admin.create(pods, { metadata: { name: 'held', finalizers: ['example.com/x'] }, spec: { containers: [{ name: 'c', image: 'i' }] } });
  await kit.admin.delete(pods, 'held');
  const gc = newGC();
  await sync();
  await gc.gc();
  assert.deepEqual(deleted(), ['default/held']);
});

test('terminating pods on a not-ready out-of-service node are force-deleted; on a ready node they wait', async () => {
  await node('oos', false, [{ key: 'node.kubernetes.io/out-of-service', effect: 'NoExecute' }]);
  await node('ok');
  await pod('a', { node: 'oos' });
  await pod('b', { node: 'ok' });
  await kit.admin.delete(pods, 'a');
  await kit.admin.delete(pods, 'b');
  const gc = newGC();
  await sync();
  await gc.gc();
  assert.deepEqual(deleted(), ['default/a']);
});
