import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Service } from 'kubernetes-types/core/v1.js';
import { lookupResource } from '../../api/scheme.js';
import { startInProcess, type InProcessCluster } from '../../../test/support/in-process.js';
import { NODE_PORTS_PREFIX, SERVICE_IPS_PREFIX } from './allocators.js';
import { ServiceNetwork } from './index.js';
import { APISERVER_LEASES_PREFIX } from './kubernetes-service.js';
import { repairAllocations } from './repair.js';

const services = { type: lookupResource('', 'v1', 'services')!, namespace: 'default' };
const endpoints = { type: lookupResource('', 'v1', 'endpoints')!, namespace: 'default' };
const slices = { type: lookupResource('discovery.k8s.io', 'v1', 'endpointslices')!, namespace: 'default' };

let cluster: InProcessCluster;
let net: ServiceNetwork;
before(async () => {
  cluster = await startInProcess();
  net = new ServiceNetwork(cluster.registry, cluster.store, { advertiseAddress: '192.0.2.7' });
  await net.start(6443);
});
after(async () => { await net.stop(); await cluster.close(); });

const list = async () => (await cluster.client().list(services)).items as Service[];
const has = async (key: string) => !!(await cluster.store.get(key)).kv;

test('repair makes missing keys again and removes old keys no service holds, leaving young ones', async () => {
  const c = cluster.client();
  const s = await c.create(services, { metadata: { name: 'web' }, spec: { type: 'NodePort', ports: [{ port: 80 }] } });
  const ipKey = SERVICE_IPS_PREFIX + s.spec.clusterIP, portKey = NODE_PORTS_PREFIX + s.spec.ports[0].nodePort;
  await cluster.store.delete(ipKey);
  await cluster.store.delete(portKey);
  const old = JSON.stringify({ namespace: 'default', name: 'ghost', uid: 'x', createdAt: new Date(Date.now() - 120_000).toISOString() });
  const young = JSON.stringify({ namespace: 'default', name: 'inflight', uid: 'y', createdAt: new Date().toISOString() });
  await cluster.store.create(`${SERVICE_IPS_PREFIX}10.43.9.9`, old);
  await cluster.store.create(`${NODE_PORTS_PREFIX}31999`, old);
  await cluster.store.create(`${SERVICE_IPS_PREFIX}10.43.9.10`, young);

  const r = await repairAllocations(net.allocator, list, { minAgeMs: 60_000 });
  assert.deepEqual(r.recreated.sort(), [ipKey, portKey].sort());
  assert.deepEqual(r.released.sort(), [`${SERVICE_IPS_PREFIX}10.43.9.9`, `${NODE_PORTS_PREFIX}31999`]);
  assert.equal(await has(ipKey), true);
  assert.equal(JSON.parse((await cluster.store.get(ipKey)).kv!.value).uid, s.metadata.uid);
  assert.equal(await has(`${SERVICE_IPS_PREFIX}10.43.9.10`), true);
  // A second pass finds nothing to do: passes are idempotent (several servers may run them).
  const again = await repairAllocations(net.allocator, list, { minAgeMs: 60_000 });
  assert.deepEqual([again.recreated, again.released], [[], []]);
});

test('repair reports an address two services claim', async () => {
  const c = cluster.client();
  const a = await c.create(services, { metadata: { name: 'a' }, spec: { ports: [{ port: 80 }] } });
  // Another service's key for the same address (as after a restore from an old backup).
  await cluster.store.delete(SERVICE_IPS_PREFIX + a.spec.clusterIP);
  await cluster.store.create(SERVICE_IPS_PREFIX + a.spec.clusterIP,
    JSON.stringify({ namespace: 'other', name: 'b', uid: 'other-uid', createdAt: new Date().toISOString() }));
  const r = await repairAllocations(net.allocator, list, { minAgeMs: 60_000 });
  assert.deepEqual(r.conflicts, [`${SERVICE_IPS_PREFIX}${a.spec.clusterIP} (default/a)`]);
});

test('the kubernetes service has the first address, https 443 to the API port, and endpoints of live servers', async () => {
  const c = cluster.client();
  const k = await c.get(services, 'kubernetes');
  assert.equal(k.spec.clusterIP, '10.43.0.1');
  assert.deepEqual(k.spec.ports, [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }]);
  assert.deepEqual(k.metadata.labels, { component: 'apiserver', provider: 'kubernetes' });
  const ep = await c.get(endpoints, 'kubernetes');
  assert.deepEqual(ep.subsets, [{ addresses: [{ ip: '192.0.2.7' }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] }]);
  assert.equal(ep.metadata.labels['endpointslice.kubernetes.io/skip-mirror'], 'true');
  const slice = await c.get(slices, 'kubernetes');
  assert.equal(slice.addressType, 'IPv4');
  assert.deepEqual(slice.metadata.labels, { 'kubernetes.io/service-name': 'kubernetes' });
  assert.deepEqual(slice.endpoints.map((e: any) => e.addresses), [['192.0.2.7']]);

  // A second server's live lease joins the endpoints; an expired one is dropped.
  await cluster.store.create(`${APISERVER_LEASES_PREFIX}192.0.2.8`, JSON.stringify({ address: '192.0.2.8', port: 6443, expiresAt: Date.now() + 60_000 }));
  await cluster.store.create(`${APISERVER_LEASES_PREFIX}192.0.2.9`, JSON.stringify({ address: '192.0.2.9', port: 6443, expiresAt: Date.now() - 1 }));
  const other = new ServiceNetwork(cluster.registry, cluster.store, { advertiseAddress: '192.0.2.7' });
  await other.start(6443);
  assert.deepEqual((await c.get(endpoints, 'kubernetes')).subsets[0].addresses, [{ ip: '192.0.2.7' }, { ip: '192.0.2.8' }]);
  await other.stop();
  // other.stop() removed the shared 192.0.2.7 lease: the endpoints now list the remaining live server only.
  assert.deepEqual((await c.get(endpoints, 'kubernetes')).subsets[0].addresses, [{ ip: '192.0.2.8' }]);
  assert.equal(await has(`${APISERVER_LEASES_PREFIX}192.0.2.9`), false);
  const s2 = await c.get(slices, 'kubernetes');
  assert.deepEqual(s2.endpoints.map((e: any) => e.addresses[0]), ['192.0.2.8']);
});
