import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import type { Obj } from '../../client/client.js';
import { ref } from '../../client/kind-ref.js';
import { startControllerTestKit, type ControllerTestKit } from '../controller-utils/testkit.js';
import { DaemonSetController } from './daemonset-controller.js';

let kit: ControllerTestKit;
let dsc: DaemonSetController;
let n = 0;
const pods = ref('Pod', 'default');
const sets = ref('DaemonSet', 'default');

before(async () => {
  kit = await startControllerTestKit();
  dsc = new DaemonSetController(kit.ctx);
  dsc.setup();
  await kit.start();
  const node = (name: string, labels: Obj, spec: Obj = {}) => kit.admin.create(ref('Node'), { metadata: { name, labels }, spec });
  await node('n1', { disk: 'ssd' });
  await node('n2', { disk: 'ssd' });
  await node('n3', { disk: 'hdd' });
  await node('n4', { disk: 'ssd' }, { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] });
  await node('n5', { disk: 'ssd' }, { unschedulable: true, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] });
});
after(() => kit.close());
beforeEach(() => { kit.actions.length = 0; kit.events.length = 0; });

const newDS = (spec: Obj = {}): Obj => {
  const app = `ds${++n}`;
  return {
    metadata: { name: app },
    spec: { selector: { matchLabels: { app } }, template: { metadata: { labels: { app } },
      spec: { nodeSelector: { disk: 'ssd' }, containers: [{ name: 'c', image: 'busybox:1' }] } }, ...spec },
  };
};

async function sync(ds: Obj) {
  const r = await dsc.reconcile(`default/${ds.metadata.name}`);
  await kit.settle();
  return r;
}

const dsPods = async (ds: Obj) => (await kit.admin.list(pods, { labelSelector: `app=${ds.metadata.name}` })).items;
const nodeOf = (p: Obj) => p.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].values[0];

/** What the kubelet would do: bind each pod to its pinned node and report it Running and Ready. */
async function runAll(ds: Obj) {
  for (const p of await dsPods(ds)) {
    if (p.metadata.deletionTimestamp) {
      await kit.admin.delete(pods, p.metadata.name, { gracePeriodSeconds: 0 });
      continue;
    }
    if (p.status?.phase === 'Running') continue;
    if (!p.spec.nodeName) {
      await kit.admin.createSubresource(pods, p.metadata.name, 'binding',
        { apiVersion: 'v1', kind: 'Binding', metadata: { name: p.metadata.name }, target: { kind: 'Node', name: nodeOf(p) } });
    }
    const fresh = await kit.admin.get(pods, p.metadata.name);
    fresh.status = { ...fresh.status, phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }] };
    await kit.admin.updateStatus(pods, fresh);
  }
  await kit.settle();
}

test('one pod per eligible node, pinned by a metadata.name node affinity, with the automatic tolerations', async () => {
  const ds = await kit.admin.create(sets, newDS());
  await kit.settle();
  await sync(ds);
  const ps = await dsPods(ds);
  // n3 has the wrong label, n4 an untolerated taint; n5 is unschedulable, which daemon pods tolerate.
  assert.deepEqual(ps.map(nodeOf).sort(), ['n1', 'n2', 'n5']);
  const p = ps[0]!;
  assert.match(p.metadata.name, new RegExp(`^${ds.metadata.name}-[a-z0-9]{5}$`));
  assert.equal(p.spec.nodeName, undefined, 'the scheduler binds it');
  assert.deepEqual(p.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms,
    [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeOf(p)] }] }]);
  assert.deepEqual(p.spec.tolerations.map((t: Obj) => `${t.key}:${t.operator}:${t.effect}`), [
    'node.kubernetes.io/not-ready:Exists:NoExecute', 'node.kubernetes.io/unreachable:Exists:NoExecute',
    'node.kubernetes.io/disk-pressure:Exists:NoSchedule', 'node.kubernetes.io/memory-pressure:Exists:NoSchedule',
    'node.kubernetes.io/pid-pressure:Exists:NoSchedule', 'node.kubernetes.io/unschedulable:Exists:NoSchedule']);
  const revs = (await kit.admin.list(ref('ControllerRevision', 'default'))).items.filter((r) => r.metadata.ownerReferences?.[0]?.uid === ds.metadata.uid);
  assert.equal(revs.length, 1);
  assert.equal(revs[0]!.revision, 1);
  const hash = revs[0]!.metadata.labels['controller-revision-hash'];
  assert.equal(revs[0]!.metadata.name, `${ds.metadata.name}-${hash}`);
  assert.equal(revs[0]!.data.spec.template.$patch, 'replace');
  assert.equal(p.metadata.labels['controller-revision-hash'], hash);
  assert.deepEqual(kit.events.map((e) => e.reason), ['SuccessfulCreate', 'SuccessfulCreate', 'SuccessfulCreate']);
  await runAll(ds);
  await sync(ds);
  const got = await kit.admin.get(sets, ds.metadata.name);
  assert.deepEqual(got.status, { currentNumberScheduled: 3, numberMisscheduled: 0, desiredNumberScheduled: 3, numberReady: 3,
    observedGeneration: 1, updatedNumberScheduled: 3, numberAvailable: 3 });
});

test('hostNetwork pods also tolerate network-unavailable', async () => {
  const d = newDS();
  d.spec.template.spec.hostNetwork = true;
  const ds = await kit.admin.create(sets, d);
  await kit.settle();
  await sync(ds);
  const [p] = await dsPods(ds);
  assert.ok(p!.spec.tolerations.some((t: Obj) => t.key === 'node.kubernetes.io/network-unavailable' && t.effect === 'NoSchedule'));
});

test('RollingUpdate replaces at most maxUnavailable pods at a time, then counts updated pods', async () => {
  const ds = await kit.admin.create(sets, newDS({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } } }));
  await kit.settle();
  await sync(ds);
  await runAll(ds);
  await sync(ds);
  const cur = await kit.admin.get(sets, ds.metadata.name);
  cur.spec.template.spec.containers[0].image = 'busybox:2';
  await kit.admin.update(sets, cur);
  await kit.settle();
  for (let step = 0; step < 3; step++) {
    kit.events.length = 0;
    await sync(ds);
    const live = (await dsPods(ds)).filter((p) => !p.metadata.deletionTimestamp);
    const old = live.filter((p) => p.spec.containers[0].image === 'busybox:1');
    assert.equal(old.length, 2 - step, `step ${step}: one old pod deleted`);
    assert.deepEqual(kit.events.map((e) => e.reason), ['SuccessfulDelete']);
    await runAll(ds); // the kubelet finishes the deletion
    await sync(ds); // the manage loop recreates the pod on the freed node
    await runAll(ds);
  }
  await sync(ds);
  const got = await kit.admin.get(sets, ds.metadata.name);
  assert.equal(got.status.updatedNumberScheduled, 3);
  assert.equal(got.status.observedGeneration, 2);
  const revs = (await kit.admin.list(ref('ControllerRevision', 'default'))).items.filter((r) => r.metadata.ownerReferences?.[0]?.uid === ds.metadata.uid);
  assert.deepEqual(revs.map((r) => r.revision).sort(), [1, 2]);
});

test('RollingUpdate with maxSurge starts the new pod first and deletes the old one once the new is available', async () => {
  const ds = await kit.admin.create(sets, newDS({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } }));
  await kit.settle();
  await sync(ds);
  await runAll(ds);
  const cur = await kit.admin.get(sets, ds.metadata.name);
  cur.spec.template.spec.containers[0].image = 'busybox:2';
  await kit.admin.update(sets, cur);
  await kit.settle();
  kit.events.length = 0;
  await sync(ds);
  assert.deepEqual(kit.events.map((e) => e.reason), ['SuccessfulCreate'], 'one surge pod, nothing deleted');
  await runAll(ds);
  kit.events.length = 0;
  await sync(ds);
  assert.ok(kit.events.some((e) => e.reason === 'SuccessfulDelete'), 'the old pod goes once the new one is available');
});

test('OnDelete leaves old pods alone', async () => {
  const ds = await kit.admin.create(sets, newDS({ updateStrategy: { type: 'OnDelete' } }));
  await kit.settle();
  await sync(ds);
  await runAll(ds);
  const cur = await kit.admin.get(sets, ds.metadata.name);
  cur.spec.template.spec.containers[0].image = 'busybox:2';
  await kit.admin.update(sets, cur);
  await kit.settle();
  kit.events.length = 0;
  await sync(ds);
  assert.deepEqual(kit.events, []);
  assert.equal((await kit.admin.get(sets, ds.metadata.name)).status.updatedNumberScheduled, undefined);
});

test('a node that stops matching loses its daemon pod', async () => {
  const ds = await kit.admin.create(sets, newDS());
  await kit.settle();
  await sync(ds);
  const node = await kit.admin.get(ref('Node'), 'n2');
  node.metadata.labels.disk = 'hdd';
  await kit.admin.update(ref('Node'), node);
  await kit.settle();
  kit.events.length = 0;
  await sync(ds);
  assert.deepEqual(kit.events.map((e) => e.reason), ['SuccessfulDelete']);
  assert.deepEqual((await dsPods(ds)).filter((p) => !p.metadata.deletionTimestamp).map(nodeOf).sort(), ['n1', 'n5']);
  node.metadata.labels.disk = 'ssd';
  await kit.admin.update(ref('Node'), { ...node, metadata: { ...node.metadata, resourceVersion: undefined } });
  await kit.settle();
});
