/** @module TaintEvictionController tests: pods on NoExecute-tainted nodes, reconciled with a movable clock. */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import type { Obj } from '../../client/client.js';
import { ref } from '../../client/kind-ref.js';
import { startControllerTestKit, type ControllerTestKit } from '../controller-utils/testkit.js';
import { TaintEvictionController } from './taint-eviction-controller.js';

let kit: ControllerTestKit;
let tec: TaintEvictionController;
const pods = ref('Pod', 'default');
const unreachable = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: '2026-01-01T00:00:00Z' };

beforeEach(async () => {
  kit = await startControllerTestKit();
  tec = new TaintEvictionController(kit.ctx);
  tec.setup();
  await kit.admin.create(ref('Node'), { metadata: { name: 'n' }, spec: { taints: [unreachable] } });
});
afterEach(() => kit.close());

const pod = (name: string, tolerations?: Obj[]) => kit.admin.create(pods, { metadata: { name },
  spec: { nodeName: 'n', tolerations, containers: [{ name: 'c', image: 'i' }] } });
const sync = async () => { await kit.start(); await kit.settle(); kit.actions.length = 0; };
const deleted = () => kit.actions.filter((a) => a.verb === 'delete').map((a) => a.name);

test('a pod without a matching toleration is deleted at once, with the DisruptionTarget condition and an event', async () => {
  await kit.admin.patch(ref('Node'), 'n', 'merge', { spec: { taints: [unreachable, { key: 'example.com/broken', effect: 'NoExecute' }] } });
  await pod('p');
  await sync();
  assert.equal(await tec.reconcile('default/p'), undefined);
  assert.deepEqual(deleted(), ['default/p']);
  const status = kit.actions.find((a) => a.resource === 'pods/status')!.body as Obj;
  const c = status.conditions.find((x: Obj) => x.type === 'DisruptionTarget');
  assert.deepEqual([c.status, c.reason, c.message], ['True', 'DeletionByTaintManager', 'Taint manager: deleting due to NoExecute taint']);
  assert.deepEqual(kit.events.map((e) => [e.type, e.reason, e.message]), [['Normal', 'TaintManagerEviction', 'Marking for deletion Pod default/p']]);
});

test('a pod tolerating for 300 s (the admission default) is deleted when that runs out, not before', async () => {
  const p = await pod('p');
  assert.equal(p.spec.tolerations.find((t: Obj) => t.key === 'node.kubernetes.io/unreachable').tolerationSeconds, 300);
  await sync();
  const wait = (r: unknown) => (r as { requeueAfterMs: number }).requeueAfterMs;
  const first = wait(await tec.reconcile('default/p'));
  assert.ok(first > 299_000 && first <= 300_000, `${first}`);
  kit.advance(299_000);
  const second = wait(await tec.reconcile('default/p'));
  assert.ok(second > 0 && second <= 1000, `${second}`);
  assert.deepEqual(deleted(), []);
  kit.advance(1001);
  await tec.reconcile('default/p');
  assert.deepEqual(deleted(), ['default/p']);
});

test('a pod tolerating forever stays; a taint removed in time cancels the eviction with an event', async () => {
  await pod('forever', [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' }]);
  await pod('saved', [{ operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 }]);
  await sync();
  assert.equal(await tec.reconcile('default/forever'), undefined);
  assert.deepEqual(await tec.reconcile('default/saved'), { requeueAfterMs: 60_000 });
  await kit.admin.patch(ref('Node'), 'n', 'merge', { spec: { taints: null } });
  await kit.settle();
  kit.advance(61_000);
  assert.equal(await tec.reconcile('default/saved'), undefined);
  assert.deepEqual(deleted(), []);
  assert.deepEqual(kit.events.map((e) => e.message), ['Cancelling deletion of Pod default/saved']);
});

test('a pod update queues the pod only when its node or tolerations changed (as upstream PodUpdated)', async () => {
  await pod('p');
  await sync();
  while (tec.queue.len() > 0) tec.queue.done((await tec.queue.get())!);
  await kit.admin.patch(pods, 'p', 'merge', { status: { phase: 'Running' } }, { subresource: 'status' });
  await kit.admin.patch(pods, 'p', 'merge', { metadata: { labels: { a: 'b' } } });
  await kit.settle();
  assert.equal(tec.queue.len(), 0, 'status and label writes leave the taint manager alone');
  await kit.admin.patch(pods, 'p', 'json', [{ op: 'add', path: '/spec/tolerations/-', value: { key: 'x', operator: 'Exists', effect: 'NoExecute' } }]);
  await kit.settle();
  assert.equal(tec.queue.len(), 1, 'new tolerations are looked at');
});
