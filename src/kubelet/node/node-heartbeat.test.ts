/** @module The real node's registration and heartbeats against an in-process API server. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Obj } from '../../client/client.js';
import { ref } from '../../client/kind-ref.js';
import { startInProcess, type InProcessCluster } from '../../../test/support/in-process.js';
import { waitFor } from '../../../test/support/wait-for.js';
import type { RuntimeStatus } from '../cri/types.js';
import { NodeHeartbeat } from './node-heartbeat.js';

let cluster: InProcessCluster;
const rootDir = mkdtempSync(join(tmpdir(), 'tug-node-hb-'));
before(async () => { cluster = await startInProcess(); });
after(async () => {
  await cluster?.close();
  rmSync(rootDir, { recursive: true, force: true });
});

let runtimeStatus: RuntimeStatus = { conditions: [{ type: 'RuntimeReady', status: true, reason: '', message: '' },
  { type: 'NetworkReady', status: true, reason: '', message: '' }] };
const runtime = {
  version: async () => ({ version: '0.1.0', runtimeName: 'containerd', runtimeVersion: '1.6.20', runtimeApiVersion: 'v1' }),
  status: async () => runtimeStatus,
};
const log = { warn: (m: string) => assert.fail(m) };
const cond = (n: Obj, type: string) => n.status.conditions.find((c: Obj) => c.type === type);

test('registers the Node from the machine, takes its lease, reports NotReady when the runtime says so', async () => {
  const client = cluster.client('kubelet');
  const hb = new NodeHeartbeat({ client, nodeName: 'real-1', nodeIP: '127.0.0.1', kubeletPort: 10250, runtime, rootDir,
    podCIDR: '10.88.0.0/24', intervalMs: 50, reportIntervalMs: 60_000, log });
  await hb.register();
  const node = await client.get(ref('Node'), 'real-1');
  assert.equal(node.spec.podCIDR, '10.88.0.0/24');
  assert.equal(hb.podCIDR, '10.88.0.0/24');
  assert.equal(node.status.nodeInfo.containerRuntimeVersion, 'containerd://1.6.20');
  assert.equal(node.metadata.labels['kubernetes.io/hostname'], 'real-1');
  assert.match(node.status.allocatable.cpu, /^\d+m$/);
  assert.equal(cond(node, 'Ready').status, 'True');
  const lease = await client.get(ref('Lease', 'kube-node-lease'), 'real-1');
  assert.equal(lease.spec.leaseDurationSeconds, 40);
  assert.equal(lease.metadata.ownerReferences[0].uid, node.metadata.uid);

  const ctl = new AbortController();
  const running = hb.run(ctl.signal);
  try {
    await waitFor(async () => (await client.get(ref('Lease', 'kube-node-lease'), 'real-1')).spec.renewTime !== lease.spec.renewTime, 'lease renewed');
    runtimeStatus = { conditions: [{ type: 'RuntimeReady', status: true, reason: '', message: '' },
      { type: 'NetworkReady', status: false, reason: 'NetworkPluginNotReady', message: 'cni plugin not initialized' }] };
    const notReady = await waitFor(async () => {
      const n = await client.get(ref('Node'), 'real-1');
      return cond(n, 'Ready').status === 'False' ? n : undefined;
    }, 'Ready False');
    assert.equal(cond(notReady, 'Ready').reason, 'KubeletNotReady');
    assert.equal(cond(notReady, 'Ready').message,
      'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:cni plugin not initialized');
  } finally {
    ctl.abort();
    await running;
  }
});

test('a Node that exists keeps its pod CIDR on re-registration', async () => {
  const client = cluster.client('kubelet');
  const hb = new NodeHeartbeat({ client, nodeName: 'real-1', nodeIP: '127.0.0.1', kubeletPort: 10250, runtime, rootDir,
    podCIDR: '10.99.0.0/24', log });
  await hb.register();
  assert.equal(hb.podCIDR, '10.88.0.0/24');
  assert.equal((await client.get(ref('Node'), 'real-1')).spec.podCIDR, '10.88.0.0/24');
});
