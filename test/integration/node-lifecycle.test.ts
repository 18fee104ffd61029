/** @module Node lifecycle on hollow nodes: a node that stops heartbeating goes Unknown, is tainted, and its pods are evicted after tolerationSeconds; it recovers when it beats again. */
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
  hollow = await startHollowNodes({ client: cluster.client('hollow'), count: 3, prefix: 'nl-', renewIntervalMs: 200, statusReportIntervalMs: 60_000 });
  const c = cluster.client('kube-controller-manager');
  const events = new EventBroadcaster(c);
  manager = runControllerManager({ client: c, informers: new InformerFactory(c), recorder: (n) => events.recorder(n), now: Date.now,
    options: { nodeLifecycle: { nodeMonitorPeriodMs: 200, nodeMonitorGracePeriodMs: 2000 } } },
    stop.signal, { enabled: ['nodelifecycle', 'taint-eviction-controller'] });
});
after(async () => {
  stop.abort();
  await manager;
  await hollow?.stop();
  await cluster?.close();
});

const ready = (n: Obj) => n.status.conditions.find((c: Obj) => c.type === 'Ready');
const taintKeys = (n: Obj) => (n.spec?.taints ?? []).map((t: Obj) => `${t.key}:${t.effect}`).sort();

test('a dead node is marked Unknown and tainted; its pods are deleted after tolerationSeconds; it recovers when it beats again', async () => {
  const pods = ref('Pod', 'default');
  const toleration = [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 2 }];
  for (const [name, node] of [['on-dead', 'nl-1'], ['on-live', 'nl-0']]) {
    await client().create(pods, { metadata: { name }, spec: { nodeName: node, tolerations: toleration, containers: [{ name: 'c', image: 'i' }] } });
  }
  await waitFor(async () => (await client().get(pods, 'on-dead')).status.phase === 'Running', 'pod Running');
  hollow.node('nl-1')!.stopHeartbeats();
  // The grace period runs from the node's last heartbeat (a renewal may still have been in flight).
  await new Promise((r) => setTimeout(r, 300));
  const lastBeat = Date.parse((await client().get(ref('Lease', 'kube-node-lease'), 'nl-1')).spec.renewTime);

  const tainted = await waitFor(async () => {
    const n = await client().get(ref('Node'), 'nl-1');
    return taintKeys(n).includes('node.kubernetes.io/unreachable:NoExecute') ? n : undefined;
  }, 'unreachable taint', 10_000);
  assert.deepEqual([ready(tainted).status, ready(tainted).reason, ready(tainted).message],
    ['Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.']);
  assert.deepEqual(taintKeys(tainted), ['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
  const taintedAt = Date.now();
  assert.ok(taintedAt - lastBeat >= 2000, `not before the grace period (${taintedAt - lastBeat} ms after the last heartbeat)`);

  const evicted = await waitFor(async () => {
    const p = await client().get(pods, 'on-dead');
    return p.metadata.deletionTimestamp ? p : undefined;
  }, 'eviction of the pod on the dead node', 10_000);
  assert.ok(Date.now() - taintedAt >= 1500, 'waited for tolerationSeconds');
  assert.equal(evicted.status.conditions.find((c: Obj) => c.type === 'Ready').status, 'False', 'MarkPodsNotReady');
  assert.equal(evicted.status.conditions.find((c: Obj) => c.type === 'DisruptionTarget').reason, 'DeletionByTaintManager');
  const live = await client().get(pods, 'on-live');
  assert.equal(live.metadata.deletionTimestamp, undefined);
  assert.deepEqual(taintKeys(await client().get(ref('Node'), 'nl-0')), []);

  const events = (await client().list(ref('Event', 'default'))).items;
  assert.ok(events.some((e) => e.reason === 'NodeNotReady' && e.message === 'Node nl-1 status is now: NodeNotReady'));
  assert.ok(events.some((e) => e.reason === 'TaintManagerEviction' && e.message === 'Marking for deletion Pod default/on-dead'));

  hollow.node('nl-1')!.resumeHeartbeats();
  await waitFor(async () => {
    const n = await client().get(ref('Node'), 'nl-1');
    return ready(n).status === 'True' && taintKeys(n).length === 0;
  }, 'node Ready and untainted again', 10_000);
  // The revived node confirms the eviction it missed.
  await waitFor(async () => {
    try { await client().get(pods, 'on-dead'); return false; } catch { return true; }
  }, 'evicted pod removed by its node');
});

test('pods the node lifecycle controller marked not ready are Ready again once their node beats again (as the kubelet writes its status back)', async () => {
  const pods = ref('Pod', 'default');
  // Tolerates the unreachable taint forever: marked not ready, never evicted.
  const toleration = [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' }];
  await client().create(pods, { metadata: { name: 'stays' }, spec: { nodeName: 'nl-2', tolerations: toleration, containers: [{ name: 'c', image: 'i' }] } });
  const podReady = async () => (await client().get(pods, 'stays')).status.conditions?.find((c: Obj) => c.type === 'Ready')?.status;
  await waitFor(async () => (await podReady()) === 'True', 'pod Ready');
  hollow.node('nl-2')!.stopHeartbeats();
  await waitFor(async () => (await podReady()) === 'False', 'pod marked not ready (MarkPodsNotReady)', 10_000);
  hollow.node('nl-2')!.resumeHeartbeats();
  await waitFor(async () => (await podReady()) === 'True', 'pod Ready again', 10_000);
  assert.equal((await client().get(pods, 'stays')).status.phase, 'Running');
});
