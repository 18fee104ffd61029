/** @module ensureKubeDNSService and registerNodeDNSEndpoint against an in-process API: create, no-op, fix-up. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startInProcess, type InProcessCluster } from '../../test/support/in-process.js';
import type { Client } from '../client/client.js';
import { ref } from '../client/kind-ref.js';
import { ensureKubeDNSService, registerNodeDNSEndpoint } from './index.js';

let cluster: InProcessCluster;
let client: Client;
const svcRef = ref('Service', 'kube-system');
const sliceRef = ref('EndpointSlice', 'kube-system', 'discovery.k8s.io/v1');

before(async () => {
  cluster = await startInProcess();
  client = cluster.client();
});
after(async () => { await cluster?.close(); });

test('kube-dns is a selectorless ClusterIP service at the given IP; a second call changes nothing', async () => {
  await ensureKubeDNSService(client, '10.43.0.10');
  const svc = await client.get(svcRef, 'kube-dns');
  assert.equal(svc.spec.clusterIP, '10.43.0.10');
  assert.equal(svc.spec.type, 'ClusterIP');
  assert.equal(svc.spec.selector, undefined);
  assert.equal(svc.spec.internalTrafficPolicy, 'Local');
  assert.deepEqual(svc.spec.ports.map((p: any) => `${p.name} ${p.port}/${p.protocol}`), ['dns 53/UDP', 'dns-tcp 53/TCP']);
  assert.equal(svc.metadata.labels['k8s-app'], 'kube-dns');
  await ensureKubeDNSService(client, '10.43.0.10');
  assert.equal((await client.get(svcRef, 'kube-dns')).metadata.resourceVersion, svc.metadata.resourceVersion);
});

test('a changed kube-dns is fixed up, and one at another IP is made again', async () => {
  const svc = await client.get(svcRef, 'kube-dns');
  await client.update(svcRef, { ...svc, spec: { ...svc.spec, selector: { app: 'x' }, internalTrafficPolicy: 'Cluster', ports: [{ name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 }] } });
  await ensureKubeDNSService(client, '10.43.0.10');
  const fixed = await client.get(svcRef, 'kube-dns');
  assert.equal(fixed.metadata.uid, svc.metadata.uid);
  assert.equal(fixed.spec.selector, undefined);
  assert.equal(fixed.spec.internalTrafficPolicy, 'Local');
  assert.equal(fixed.spec.ports.length, 2);
  await ensureKubeDNSService(client, '10.43.0.11');
  const moved = await client.get(svcRef, 'kube-dns');
  assert.equal(moved.spec.clusterIP, '10.43.0.11');
  assert.notEqual(moved.metadata.uid, svc.metadata.uid);
});

test("a node's DNS endpoint slice: labels, owner, ports; idempotent; follows a new port", async () => {
  const node = await client.create(ref('Node'), { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } });
  const o = { nodeName: 'n1', nodeUID: node.metadata.uid, address: '10.42.0.1', port: 53 };
  await registerNodeDNSEndpoint(client, o);
  const s = await client.get(sliceRef, 'kube-dns-n1');
  assert.equal(s.metadata.labels['kubernetes.io/service-name'], 'kube-dns');
  assert.equal(s.metadata.labels['endpointslice.kubernetes.io/managed-by'], 'node-agent.tugboat.io');
  assert.deepEqual(s.metadata.ownerReferences.map((r: any) => `${r.kind}/${r.name}/${r.uid}`), [`Node/n1/${node.metadata.uid}`]);
  assert.deepEqual(s.endpoints.map((e: any) => [e.addresses, e.nodeName, e.conditions.ready]), [[['10.42.0.1'], 'n1', true]]);
  assert.deepEqual(s.ports.map((p: any) => `${p.name} ${p.port}/${p.protocol}`), ['dns 53/UDP', 'dns-tcp 53/TCP']);
  await registerNodeDNSEndpoint(client, o);
  assert.equal((await client.get(sliceRef, 'kube-dns-n1')).metadata.resourceVersion, s.metadata.resourceVersion);
  await registerNodeDNSEndpoint(client, { ...o, port: 5353 });
  assert.deepEqual((await client.get(sliceRef, 'kube-dns-n1')).ports.map((p: any) => p.port), [5353, 5353]);
});
