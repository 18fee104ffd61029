import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import type { Obj } from '../../client/client.js';
import { ref } from '../../client/kind-ref.js';
import { startControllerTestKit, type ControllerTestKit } from '../controller-utils/testkit.js';
import { StatefulSetController } from './statefulset-controller.js';

let kit: ControllerTestKit;
let ssc: StatefulSetController;
let n = 0;
const pods = ref('Pod', 'default');
const sets = ref('StatefulSet', 'default');
const claims = ref('PersistentVolumeClaim', 'default');

before(async () => {
  kit = await startControllerTestKit();
  ssc = new StatefulSetController(kit.ctx);
  ssc.setup();
  await kit.start();
});
after(() => kit.close());
beforeEach(() => { kit.actions.length = 0; kit.events.length = 0; });

const newSet = (spec: Obj = {}): Obj => {
  const app = `web${++n}`;
  return {
    metadata: { name: app },
    spec: { replicas: 3, serviceName: 'svc', selector: { matchLabels: { app } },
      template: { metadata: { labels: { app } }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } }, ...spec },
  };
};

async function seed(set: Obj) {
  const s = await kit.admin.create(sets, set);
  await kit.settle();
  return s;
}
async function sync(set: Obj) {
  await ssc.reconcile(`default/${set.metadata.name}`);
  await kit.settle();
}
const names = async (set: Obj) => (await kit.admin.list(pods, { labelSelector: `app=${set.metadata.name}` })).items
  .filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.name).sort();

/** The kubelet's part: finish pending deletions and report the other pods Running and Ready. */
async function runAll(set: Obj) {
  for (const p of (await kit.admin.list(pods, { labelSelector: `app=${set.metadata.name}` })).items) {
    if (p.metadata.deletionTimestamp) { await kit.admin.delete(pods, p.metadata.name, { gracePeriodSeconds: 0 }); continue; }
    if (p.status?.phase === 'Running') continue;
    p.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }] };
    await kit.admin.updateStatus(pods, p);
  }
  await kit.settle();
}

test('OrderedReady creates <set>-0 with its identity and claims, and the next ordinal only once it is Running and Ready', async () => {
  const set = await seed(newSet({ volumeClaimTemplates: [{ metadata: { name: 'data' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }] }));
  const s = set.metadata.name;
  await sync(set);
  assert.deepEqual(await names(set), [`${s}-0`]);
  const pod = await kit.admin.get(pods, `${s}-0`);
  assert.equal(pod.spec.hostname, `${s}-0`);
  assert.equal(pod.spec.subdomain, 'svc');
  assert.equal(pod.metadata.labels['statefulset.kubernetes.io/pod-name'], `${s}-0`);
  assert.equal(pod.metadata.labels['apps.kubernetes.io/pod-index'], '0');
  assert.match(pod.metadata.labels['controller-revision-hash'], new RegExp(`^${s}-[a-z0-9]+$`));
  assert.deepEqual(pod.spec.volumes.find((v: Obj) => v.name === 'data'), { name: 'data', persistentVolumeClaim: { claimName: `data-${s}-0` } });
  const claim = await kit.admin.get(claims, `data-${s}-0`);
  assert.equal(claim.metadata.labels.app, s);
  assert.equal(claim.metadata.ownerReferences, undefined, 'Retain by default');
  assert.deepEqual(kit.events.map((e) => e.message), [
    `create Claim data-${s}-0 Pod ${s}-0 in StatefulSet ${s} success`, `create Pod ${s}-0 in StatefulSet ${s} successful`]);
  await sync(set);
  assert.deepEqual(await names(set), [`${s}-0`], 'waits while web-0 is not ready');
  await runAll(set);
  await sync(set);
  assert.deepEqual(await names(set), [`${s}-0`, `${s}-1`]);
  await runAll(set);
  await sync(set);
  await runAll(set);
  await sync(set);
  const st = (await kit.admin.get(sets, s)).status;
  assert.equal(st.replicas, 3);
  assert.equal(st.readyReplicas, 3);
  assert.equal(st.availableReplicas, 3);
  assert.equal(st.currentRevision, st.updateRevision);
  assert.equal(st.currentReplicas, 3);
  assert.equal(st.updatedReplicas, 3);
  assert.equal(st.observedGeneration, 1);
});

test('Parallel creates every ordinal at once', async () => {
  const set = await seed(newSet({ podManagementPolicy: 'Parallel' }));
  await sync(set);
  const s = set.metadata.name;
  assert.deepEqual(await names(set), [`${s}-0`, `${s}-1`, `${s}-2`]);
});

test('scaling down removes the highest ordinal first, one at a time', async () => {
  const set = await seed(newSet({ podManagementPolicy: 'Parallel' }));
  const s = set.metadata.name;
  await sync(set);
  await runAll(set);
  const cur = await kit.admin.get(sets, s);
  await kit.admin.update(sets, { ...cur, spec: { ...cur.spec, replicas: 1, podManagementPolicy: 'Parallel' } });
  await kit.settle();
  await sync(set);
  assert.deepEqual(await names(set), [`${s}-0`]);
  const ordered = await seed(newSet());
  const o = ordered.metadata.name;
  for (let i = 0; i < 3; i++) { await sync(ordered); await runAll(ordered); }
  const c2 = await kit.admin.get(sets, o);
  await kit.admin.update(sets, { ...c2, spec: { ...c2.spec, replicas: 1 } });
  await kit.settle();
  kit.events.length = 0;
  await sync(ordered);
  assert.deepEqual(await names(ordered), [`${o}-0`, `${o}-1`]);
  assert.deepEqual(kit.events.map((e) => e.message), [`delete Pod ${o}-2 in StatefulSet ${o} successful`]);
  await sync(ordered);
  assert.deepEqual(await names(ordered), [`${o}-0`], 'then the next highest');
});

test('RollingUpdate replaces pods from the highest ordinal down to the partition', async () => {
  const set = await seed(newSet());
  const s = set.metadata.name;
  for (let i = 0; i < 3; i++) { await sync(set); await runAll(set); }
  await sync(set);
  const before = (await kit.admin.get(sets, s)).status;
  const cur = await kit.admin.get(sets, s);
  cur.spec.template.spec.containers[0].image = 'nginx:2';
  cur.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: 1 } };
  await kit.admin.update(sets, cur);
  await kit.settle();
  kit.events.length = 0;
  await sync(set);
  assert.deepEqual(kit.events.map((e) => e.message), [`delete Pod ${s}-2 in StatefulSet ${s} successful`]);
  await runAll(set);
  await sync(set);
  const p2 = await kit.admin.get(pods, `${s}-2`);
  assert.equal(p2.spec.containers[0].image, 'nginx:2');
  await runAll(set);
  await sync(set);
  await runAll(set);
  await sync(set);
  assert.equal((await kit.admin.get(pods, `${s}-1`)).spec.containers[0].image, 'nginx:2');
  assert.equal((await kit.admin.get(pods, `${s}-0`)).spec.containers[0].image, 'nginx:1', 'below the partition stays');
  await runAll(set);
  await sync(set);
  const st = (await kit.admin.get(sets, s)).status;
  assert.equal(st.currentRevision, before.currentRevision);
  assert.notEqual(st.updateRevision, before.updateRevision);
  assert.equal(st.updatedReplicas, 2);
  assert.equal(st.currentReplicas, 1);
  assert.equal((await kit.admin.get(pods, `${s}-2`)).metadata.labels['controller-revision-hash'], st.updateRevision);
});

test('OnDelete does not replace pods; whenDeleted: Delete makes claims dependents of the set', async () => {
  const set = await seed(newSet({ replicas: 1, updateStrategy: { type: 'OnDelete' },
    persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' },
    volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }] }));
  const s = set.metadata.name;
  await sync(set);
  await runAll(set);
  const claim = await kit.admin.get(claims, `data-${s}-0`);
  assert.deepEqual(claim.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: s, uid: set.metadata.uid, blockOwnerDeletion: true }]);
  const cur = await kit.admin.get(sets, s);
  cur.spec.template.spec.containers[0].image = 'nginx:2';
  await kit.admin.update(sets, cur);
  await kit.settle();
  kit.events.length = 0;
  await sync(set);
  assert.deepEqual(kit.events, []);
});
