import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { newForbidden } from '../../apimachinery/errors.js';
import type { Client, Obj } from '../../client/client.js';
import { ref } from '../../client/kind-ref.js';
import { startControllerTestKit, type ControllerTestKit } from '../controller-utils/testkit.js';
import { ReplicaSetController } from './replica-set-controller.js';

let kit: ControllerTestKit;
let rsc: ReplicaSetController;
let n = 0;
const pods = ref('Pod', 'default');
const sets = ref('ReplicaSet', 'default');

before(async () => {
  kit = await startControllerTestKit();
  rsc = new ReplicaSetController(kit.ctx);
  rsc.setup();
  await kit.start();
});
after(() => kit.close());
beforeEach(() => { kit.actions.length = 0; kit.events.length = 0; });

const newRS = (replicas: number, extra: Obj = {}): Obj => {
  const app = `app${++n}`;
  return {
    metadata: { name: `rs${n}` },
    spec: { replicas, selector: { matchLabels: { app } },
      template: { metadata: { labels: { app } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } }, ...extra },
  };
};

async function seedRS(rs: Obj): Promise<Obj> {
  const created = await kit.admin.create(sets, rs);
  await kit.settle();
  return created;
}

const writes = (verb: string, resource: string) => kit.actions.filter((a) => a.verb === verb && a.resource === resource);

test('creates spec.replicas pods named <rs>- with a controller ownerReference, and records status', async () => {
  const rs = await seedRS(newRS(5));
  await rsc.reconcile(`default/${rs.metadata.name}`);
  const creates = writes('create', 'pods');
  assert.equal(creates.length, 5);
  for (const c of creates) {
    const body = c.body as Obj;
    assert.equal(body.metadata.generateName, `${rs.metadata.name}-`);
    assert.deepEqual(body.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata.name,
      uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    assert.match(c.name, new RegExp(`^default/${rs.metadata.name}-[a-z0-9]{5}$`));
  }
  assert.deepEqual(kit.events.map((e) => e.reason), Array(5).fill('SuccessfulCreate'));
  assert.match(kit.events[0]!.message, new RegExp(`^Created pod: ${rs.metadata.name}-`));
  assert.equal(kit.events[0]!.component, 'replicaset-controller');
  const status = writes('update', 'replicasets/status');
  assert.equal(status.length, 1);
  assert.deepEqual(status[0]!.body, { replicas: 0, fullyLabeledReplicas: 0, readyReplicas: 0, availableReplicas: 0, observedGeneration: 1 });
});

test('does not create while earlier creates are unobserved (expectations), and does once they are', async () => {
  const rs = await seedRS(newRS(3));
  const key = `default/${rs.metadata.name}`;
  // Two creates in flight from an earlier sync whose pods the cache has not shown yet.
  rsc.expectations.expectCreations(key, 2);
  await rsc.reconcile(key);
  assert.equal(writes('create', 'pods').length, 0);
  assert.equal(writes('update', 'replicasets/status').length, 1, 'status is still written');
  rsc.expectations.creationObserved(key);
  rsc.expectations.creationObserved(key);
  await rsc.reconcile(key);
  assert.equal(writes('create', 'pods').length, 3);
});

test('slow start: batches of 1, 2, 4 stop at the first failing batch; ReplicaFailure/FailedCreate is reported', async () => {
  let calls = 0;
  const failing: Client = { ...kit.ctx.client, async create(r, obj, o) {
    if (r.type.resource === 'pods' && ++calls > 3) throw newForbidden({ group: '', resource: 'pods' }, '', 'exceeded quota: q1');
    return kit.ctx.client.create(r, obj, o);
  } };
  const c2 = new ReplicaSetController({ ...kit.ctx, client: failing });
  c2.setup();
  const rs = await seedRS(newRS(10));
  const key = `default/${rs.metadata.name}`;
  await assert.rejects(c2.reconcile(key), /exceeded quota/);
  assert.equal(calls, 7, '1 + 2 succeed, the batch of 4 fails, 3 are never tried');
  assert.equal(kit.events.filter((e) => e.reason === 'SuccessfulCreate').length, 3);
  const failed = kit.events.filter((e) => e.reason === 'FailedCreate');
  assert.equal(failed.length, 4);
  assert.match(failed[0]!.message, /^Error creating: pods is forbidden: exceeded quota: q1$/);
  const fresh = await kit.admin.get(sets, rs.metadata.name);
  const cond = fresh.status.conditions?.find((c: Obj) => c.type === 'ReplicaFailure');
  assert.deepEqual([cond?.status, cond?.reason], ['True', 'FailedCreate']);
  await kit.settle();
  assert.equal(c2.expectations.satisfied(key), true, 'only the 3 successful creates were expected, and were observed');
});

test('scales down the cheapest pods first: unassigned, then pending, then by deletion cost', async () => {
  const rs = await seedRS(newRS(2));
  const key = `default/${rs.metadata.name}`;
  await rsc.reconcile(key);
  await kit.settle();
  rs.spec.replicas = 5;
  await kit.admin.update(sets, { ...(await kit.admin.get(sets, rs.metadata.name)), spec: { ...rs.spec, replicas: 5 } });
  await kit.settle();
  await rsc.reconcile(key);
  await kit.settle();
  const owned = (await kit.admin.list(pods, { labelSelector: `app=${rs.spec.selector.matchLabels.app}` })).items;
  assert.equal(owned.length, 5);
  // owned[0]: unassigned. owned[1]: bound, Pending. owned[2..4]: Running+Ready with costs 10, -5, 0.
  const running = async (p: Obj, cost?: number) => {
    await bind(p);
    const cur = await kit.admin.get(pods, p.metadata.name);
    if (cost !== undefined) {
      await kit.admin.patch(pods, p.metadata.name, 'merge',
        { metadata: { annotations: { 'controller.kubernetes.io/pod-deletion-cost': String(cost) } } });
    }
    const fresh = await kit.admin.get(pods, cur.metadata.name);
    fresh.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date().toISOString() }] };
    await kit.admin.updateStatus(pods, fresh);
  };
  await bind(owned[1]!);
  await running(owned[2]!, 10);
  await running(owned[3]!, -5);
  await running(owned[4]!, 0);
  await kit.admin.patch(sets, rs.metadata.name, 'merge', { spec: { replicas: 1 } });
  await kit.settle();
  kit.actions.length = 0;
  kit.events.length = 0;
  await rsc.reconcile(key);
  const deleted = writes('delete', 'pods').map((a) => a.name.split('/')[1]).sort();
  assert.deepEqual(deleted, [owned[0], owned[1], owned[3], owned[4]].map((p) => p!.metadata.name).sort());
  assert.deepEqual(kit.events.map((e) => e.reason), Array(4).fill('SuccessfulDelete'));
});

async function bind(p: Obj): Promise<void> {
  await kit.admin.createSubresource(pods, p.metadata.name, 'binding',
    { apiVersion: 'v1', kind: 'Binding', metadata: { name: p.metadata.name }, target: { kind: 'Node', name: 'n1' } });
}

test('adopts orphans that match the selector and releases owned pods that no longer match', async () => {
  const rs = await seedRS(newRS(1));
  const app = rs.spec.selector.matchLabels.app;
  const orphan = await kit.admin.create(pods, { metadata: { name: `${app}-orphan`, labels: { app } },
    spec: { containers: [{ name: 'c', image: 'busybox' }] } });
  const owned = await kit.admin.create(pods, { metadata: { name: `${app}-stale`, labels: { app: 'elsewhere' },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata.name, uid: rs.metadata.uid, controller: true }] },
    spec: { containers: [{ name: 'c', image: 'busybox' }] } });
  await kit.settle();
  await rsc.reconcile(`default/${rs.metadata.name}`);
  assert.equal(writes('create', 'pods').length, 0, 'the adopted orphan fills the one replica');
  const adopted = await kit.admin.get(pods, orphan.metadata.name);
  assert.deepEqual(adopted.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata.name,
    uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true }]);
  const released = await kit.admin.get(pods, owned.metadata.name);
  assert.equal(released.metadata.ownerReferences, undefined);
});

test('availableReplicas counts pods ready for longer than minReadySeconds (injected clock)', async () => {
  const rs = await seedRS(newRS(1, { minReadySeconds: 30 }));
  const key = `default/${rs.metadata.name}`;
  await rsc.reconcile(key);
  await kit.settle();
  const [pod] = (await kit.admin.list(pods, { labelSelector: `app=${rs.spec.selector.matchLabels.app}` })).items;
  await bind(pod!);
  const fresh = await kit.admin.get(pods, pod!.metadata.name);
  fresh.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date().toISOString() }] };
  await kit.admin.updateStatus(pods, fresh);
  await kit.settle();
  const first = await rsc.reconcile(key);
  let status = (await kit.admin.get(sets, rs.metadata.name)).status;
  assert.equal(status.readyReplicas, 1);
  assert.equal(status.availableReplicas, 0);
  assert.deepEqual(first, { requeueAfterMs: 30_000 }, 'resync once minReadySeconds have passed');
  kit.advance(31_000);
  await kit.settle();
  await rsc.reconcile(key);
  status = (await kit.admin.get(sets, rs.metadata.name)).status;
  assert.equal(status.availableReplicas, 1);
});
