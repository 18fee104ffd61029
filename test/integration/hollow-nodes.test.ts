/** @module Hollow nodes on the in-process cluster: register, heartbeat, run bound pods, finish jobs, confirm deletions. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Obj } from '../../src/client/client.js';
import { ref } from '../../src/client/kind-ref.js';
import { startHollowNodes, type HollowNodes } from '../../src/kubelet/hollow/hollow-nodes.js';
import { startInProcess, type InProcessCluster } from '../support/in-process.js';
import { waitFor } from '../support/wait-for.js';

let cluster: InProcessCluster;
let hollow: HollowNodes;
const client = () => cluster.client('test');

before(async () => {
  cluster = await startInProcess();
  hollow = await startHollowNodes({ client: cluster.client('hollow'), heartbeatClient: cluster.client('hollow-heartbeats'),
    count: 3, prefix: 'hn-', renewIntervalMs: 100,
    statusReportIntervalMs: 300, capacity: { cpu: '8' } });
});
after(async () => {
  await hollow?.stop();
  await cluster?.close();
});

const pod = (name: string, node: string, extra: Obj = {}): Obj => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, ...extra.metadata },
  spec: { nodeName: node, containers: [{ name: 'c', image: 'busybox:1' }], ...extra.spec },
});

test('nodes register Ready with capacity, labels, addresses and a kubelet version', async () => {
  const nodes = (await client().list(ref('Node'))).items.filter((n) => n.metadata.name.startsWith('hn-'));
  assert.deepEqual(nodes.map((n) => n.metadata.name).sort(), ['hn-0', 'hn-1', 'hn-2']);
  const n = nodes.find((x) => x.metadata.name === 'hn-1')!;
  assert.equal(n.status.capacity.cpu, '8');
  assert.equal(n.status.allocatable.memory, '16Gi');
  assert.equal(n.status.capacity.pods, '110');
  assert.equal(n.metadata.labels['kubernetes.io/hostname'], 'hn-1');
  assert.equal(n.metadata.labels['kubernetes.io/os'], 'linux');
  assert.equal(n.status.nodeInfo.kubeletVersion, 'v1.32.0');
  assert.equal(n.status.addresses.find((a: Obj) => a.type === 'InternalIP').address, '127.1.0.1');
  const ready = n.status.conditions.find((c: Obj) => c.type === 'Ready');
  assert.equal(ready.status, 'True');
  assert.equal(ready.reason, 'KubeletReady');
});

test('each node renews its lease in kube-node-lease; the Ready heartbeat time moves on', async () => {
  const leases = ref('Lease', 'kube-node-lease');
  const first = await client().get(leases, 'hn-0');
  assert.equal(first.spec.holderIdentity, 'hn-0');
  assert.equal(first.spec.leaseDurationSeconds, 40);
  assert.equal(first.metadata.ownerReferences[0].kind, 'Node');
  await waitFor(async () => (await client().get(leases, 'hn-0')).spec.renewTime > first.spec.renewTime, 'lease renewed');
  const hb = async () => (await client().get(ref('Node'), 'hn-0')).status.conditions.find((c: Obj) => c.type === 'Ready').lastHeartbeatTime;
  const t0 = await hb();
  await waitFor(async () => (await hb()) > t0, 'Ready heartbeat', 5000);
});

test('a bound pod becomes Running and Ready with a pod IP from the node range', async () => {
  await client().create(ref('Pod', 'default'), pod('web', 'hn-2'));
  const p = await waitFor(async () => {
    const x = await client().get(ref('Pod', 'default'), 'web');
    return x.status.phase === 'Running' ? x : undefined;
  }, 'pod Running');
  assert.match(p.status.podIP, /^10\.64\.2\.\d+$/);
  assert.equal(p.status.hostIP, '127.1.0.2');
  assert.equal(p.status.qosClass, 'BestEffort');
  assert.ok(p.status.startTime);
  for (const t of ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready']) {
    assert.equal(p.status.conditions.find((c: Obj) => c.type === t)?.status, 'True', t);
  }
  const cs = p.status.containerStatuses[0];
  assert.equal(cs.ready, true);
  assert.equal(cs.started, true);
  assert.equal(cs.image, 'busybox:1');
  assert.ok(cs.state.running.startedAt);
});

test('a never-ready pod runs but stays not Ready', async () => {
  await client().create(ref('Pod', 'default'), pod('slow', 'hn-0', { metadata: { annotations: { 'hollow.tugboat.dev/never-ready': 'true' } } }));
  const p = await waitFor(async () => {
    const x = await client().get(ref('Pod', 'default'), 'slow');
    return x.status.phase === 'Running' ? x : undefined;
  }, 'pod Running');
  assert.equal(p.status.conditions.find((c: Obj) => c.type === 'Ready').status, 'False');
  assert.equal(p.status.containerStatuses[0].ready, false);
});

test('a job pod with exit-after-seconds succeeds; a restartPolicy Always pod ignores it', async () => {
  const ann = { annotations: { 'hollow.tugboat.dev/exit-after-seconds': '1' } };
  await client().create(ref('Pod', 'default'), pod('job', 'hn-1', { metadata: ann, spec: { restartPolicy: 'Never' } }));
  await client().create(ref('Pod', 'default'), pod('svc', 'hn-1', { metadata: ann }));
  const done = await waitFor(async () => {
    const x = await client().get(ref('Pod', 'default'), 'job');
    return x.status.phase === 'Succeeded' ? x : undefined;
  }, 'pod Succeeded', 5000);
  assert.equal(done.status.containerStatuses[0].state.terminated.reason, 'Completed');
  assert.equal((await client().get(ref('Pod', 'default'), 'svc')).status.phase, 'Running');
});

test('deleting a running pod: the node confirms and the pod is gone', async () => {
  const deleted = await client().delete(ref('Pod', 'default'), 'web');
  assert.ok(deleted.metadata.deletionTimestamp, 'graceful delete waits for the node');
  await waitFor(async () => {
    try { await client().get(ref('Pod', 'default'), 'web'); return false; } catch { return true; }
  }, 'pod removed');
});

test('stopHeartbeats: the lease is no longer renewed and pods are no longer synced', async () => {
  const node = hollow.node('hn-2')!;
  node.stopHeartbeats();
  await new Promise((r) => setTimeout(r, 250));
  const leases = ref('Lease', 'kube-node-lease');
  const before = (await client().get(leases, 'hn-2')).spec.renewTime;
  await client().create(ref('Pod', 'default'), pod('late', 'hn-2'));
  await new Promise((r) => setTimeout(r, 500));
  assert.equal((await client().get(leases, 'hn-2')).spec.renewTime, before);
  assert.equal((await client().get(ref('Pod', 'default'), 'late')).status.phase, 'Pending');
  node.resumeHeartbeats();
  await waitFor(async () => (await client().get(ref('Pod', 'default'), 'late')).status.phase === 'Running', 'pod synced after resume');
  await waitFor(async () => (await client().get(leases, 'hn-2')).spec.renewTime > before, 'lease renewed after resume');
});

test('leases are renewed through the heartbeat client, pod status through the other one', async () => {
  const managers = (o: Obj) => (o.metadata.managedFields ?? []).map((m: Obj) => m.manager);
  await waitFor(async () => managers(await client().get(ref('Lease', 'kube-node-lease'), 'hn-2')).includes('hollow-heartbeats'), 'lease renewed by hollow-heartbeats');
  assert.ok(!managers(await client().get(ref('Lease', 'kube-node-lease'), 'hn-2')).includes('hollow'));
  await client().create(ref('Pod', 'default'), pod('hb', 'hn-2'));
  await waitFor(async () => (await client().get(ref('Pod', 'default'), 'hb')).status?.phase === 'Running', 'pod hb running');
  const p = await client().get(ref('Pod', 'default'), 'hb');
  assert.ok(managers(p).includes('hollow') && !managers(p).includes('hollow-heartbeats'), `${managers(p)}`);
});
