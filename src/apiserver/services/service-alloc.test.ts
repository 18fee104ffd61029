import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { lookupResource } from '../../api/scheme.js';
import { startInProcess, type InProcessCluster } from '../../../test/support/in-process.js';
import { NODE_PORTS_PREFIX, SERVICE_IPS_PREFIX } from './allocators.js';
import { ServiceNetwork } from './index.js';
import { serviceIPAt } from './service-ip.js';

const services = { type: lookupResource('', 'v1', 'services')!, namespace: 'default' };
const svc = (name: string, spec: Record<string, unknown> = {}) =>
  ({ metadata: { name }, spec: { ports: [{ port: 80 }], selector: { app: name }, ...spec } });

async function keysUnder(cluster: InProcessCluster, prefix: string): Promise<Map<string, any>> {
  const page = await cluster.store.list(prefix);
  return new Map(page.items.map((kv) => [kv.key.slice(prefix.length), JSON.parse(kv.value)]));
}

function rejectsWith(code: number, message: string) {
  return (e: any) => {
    assert.equal(e.code, code, e.message);
    assert.equal(e.message, message);
    return true;
  };
}

describe('service allocation on the write path', () => {
  let cluster: InProcessCluster;
  let net: ServiceNetwork;
  before(async () => {
    cluster = await startInProcess();
    net = new ServiceNetwork(cluster.registry, cluster.store, {});
  });
  after(async () => { await net.stop(); await cluster.close(); });
  const c = () => cluster.client();

  test('a ClusterIP service gets a free address of 10.43.0.0/16 (never the first) with a key naming it', async () => {
    const a = await c().create(services, svc('a'));
    const b = await c().create(services, svc('b'));
    for (const s of [a, b]) {
      assert.match(s.spec.clusterIP, /^10\.43\.\d+\.\d+$/);
      assert.deepEqual(s.spec.clusterIPs, [s.spec.clusterIP]);
      assert.notEqual(s.spec.clusterIP, '10.43.0.1');
    }
    assert.notEqual(a.spec.clusterIP, b.spec.clusterIP);
    const keys = await keysUnder(cluster, SERVICE_IPS_PREFIX);
    assert.deepEqual({ ...keys.get(a.spec.clusterIP), createdAt: undefined },
      { namespace: 'default', name: 'a', uid: a.metadata.uid, createdAt: undefined });
    // Dynamic picks keep out of the low band left for static requests (upstream's offset: 256 for a /16).
    const [, , third, fourth] = a.spec.clusterIP.split('.').map(Number);
    assert.ok(third * 256 + fourth > 256, a.spec.clusterIP);
  });

  test('a requested address is given; a taken or out-of-range one is refused as kube-apiserver does', async () => {
    const s = await c().create(services, svc('fixed', { clusterIP: '10.43.0.5' }));
    assert.equal(s.spec.clusterIP, '10.43.0.5');
    await assert.rejects(c().create(services, svc('clash', { clusterIP: '10.43.0.5' })), rejectsWith(422,
      'Service "clash" is invalid: spec.clusterIPs: Invalid value: []string{"10.43.0.5"}: failed to allocate IP 10.43.0.5: provided IP is already allocated'));
    await assert.rejects(c().create(services, svc('far', { clusterIP: '10.99.0.5' })), rejectsWith(422,
      'Service "far" is invalid: spec.clusterIPs: Invalid value: []string{"10.99.0.5"}: failed to allocate IP 10.99.0.5: provided IP is not in the valid range. The range of valid IPs is 10.43.0.0/16'));
  });

  test('headless and ExternalName services get no address', async () => {
    const h = await c().create(services, svc('headless', { clusterIP: 'None' }));
    assert.deepEqual(h.spec.clusterIPs, ['None']);
    const x = await c().create(services, { metadata: { name: 'ext' }, spec: { type: 'ExternalName', externalName: 'example.com' } });
    assert.equal(x.spec.clusterIP, undefined);
  });

  test('NodePort services get node ports in range; a taken or out-of-range one is refused', async () => {
    const n = await c().create(services, svc('np', { type: 'NodePort', ports: [{ name: 'a', port: 80 }, { name: 'b', port: 81, nodePort: 30080 }] }));
    const [p0, p1] = n.spec.ports.map((p: any) => p.nodePort);
    assert.ok(p0 >= 30000 && p0 <= 32767, String(p0));
    assert.equal(p1, 30080);
    const keys = await keysUnder(cluster, NODE_PORTS_PREFIX);
    assert.equal(keys.get('30080')?.name, 'np');
    assert.equal(keys.get(String(p0))?.name, 'np');
    await assert.rejects(c().create(services, svc('np2', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] })), rejectsWith(422,
      'Service "np2" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated'));
    await assert.rejects(c().create(services, svc('np3', { type: 'NodePort', ports: [{ port: 80, nodePort: 8080 }] })), rejectsWith(422,
      'Service "np3" is invalid: spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767'));
  });

  test('one service port over TCP and UDP shares one node port; LoadBalancer allocates unless told not to', async () => {
    const dns = await c().create(services, svc('dnsnp', { type: 'NodePort', ports: [{ name: 'u', port: 53, protocol: 'UDP' }, { name: 't', port: 53, protocol: 'TCP' }] }));
    assert.equal(dns.spec.ports[0].nodePort, dns.spec.ports[1].nodePort);
    const lb = await c().create(services, svc('lb', { type: 'LoadBalancer', externalTrafficPolicy: 'Local' }));
    assert.ok(lb.spec.ports[0].nodePort >= 30000);
    assert.ok(lb.spec.healthCheckNodePort >= 30000 && lb.spec.healthCheckNodePort !== lb.spec.ports[0].nodePort);
    const none = await c().create(services, svc('lb-none', { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false }));
    assert.equal(none.spec.ports[0].nodePort, undefined);
  });

  test('a failed create gives back what it claimed', async () => {
    // The address is claimed first, then the taken node port fails the create: the address must be free again.
    const before = await keysUnder(cluster, SERVICE_IPS_PREFIX);
    await assert.rejects(c().create(services, svc('undo', { clusterIP: '10.43.0.6', type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] })),
      (e: any) => e.code === 422);
    assert.deepEqual([...(await keysUnder(cluster, SERVICE_IPS_PREFIX)).keys()].sort(), [...before.keys()].sort());
    // A name that exists: the store refuses the write after allocation.
    await assert.rejects(c().create(services, svc('a', { clusterIP: '10.43.0.7' })), (e: any) => e.code === 409);
    assert.equal((await keysUnder(cluster, SERVICE_IPS_PREFIX)).has('10.43.0.7'), false);
    const reused = await c().create(services, svc('reuse', { clusterIP: '10.43.0.6' }));
    assert.equal(reused.spec.clusterIP, '10.43.0.6');
  });

  test('dry run allocates nothing, and still checks requested values', async () => {
    const before = [...(await keysUnder(cluster, SERVICE_IPS_PREFIX)).keys(), ...(await keysUnder(cluster, NODE_PORTS_PREFIX)).keys()];
    const d = await c().create(services, svc('dry', { type: 'NodePort' }), { dryRun: true });
    assert.equal(d.spec.clusterIP, '10.43.0.0');
    assert.equal(d.spec.ports[0].nodePort, 32769);
    await assert.rejects(c().create(services, svc('dry2', { clusterIP: '10.43.0.5' }), { dryRun: true }), (e: any) => e.code === 422);
    const after = [...(await keysUnder(cluster, SERVICE_IPS_PREFIX)).keys(), ...(await keysUnder(cluster, NODE_PORTS_PREFIX)).keys()];
    assert.deepEqual(after.sort(), before.sort());
    await assert.rejects(c().get(services, 'dry'), (e: any) => e.code === 404);
  });

  test('type changes: ClusterIP→NodePort allocates, NodePort→ClusterIP and →ExternalName release, the address stays', async () => {
    const s = await c().create(services, svc('morph'));
    const ip = s.spec.clusterIP;
    const np = await c().patch(services, 'morph', 'merge', { spec: { type: 'NodePort' } });
    assert.equal(np.spec.clusterIP, ip);
    const port = np.spec.ports[0].nodePort;
    assert.equal((await keysUnder(cluster, NODE_PORTS_PREFIX)).get(String(port))?.name, 'morph');
    // A PUT of the original body (no clusterIP, no nodePort) keeps what was allocated.
    const cur = await c().get(services, 'morph');
    const put = await c().update(services, { ...svc('morph', { type: 'NodePort' }), metadata: { name: 'morph', resourceVersion: cur.metadata.resourceVersion } });
    assert.equal(put.spec.clusterIP, ip);
    assert.equal(put.spec.ports[0].nodePort, port);
    // Adding a port allocates one more; removing it releases it.
    const two = await c().patch(services, 'morph', 'merge', { spec: { ports: [{ name: 'a', port: 80 , nodePort: port }, { name: 'b', port: 81 }] } });
    const extra = two.spec.ports[1].nodePort;
    assert.ok(extra && extra !== port);
    await c().patch(services, 'morph', 'merge', { spec: { ports: [{ name: 'a', port: 80, nodePort: port }] } });
    assert.equal((await keysUnder(cluster, NODE_PORTS_PREFIX)).has(String(extra)), false);
    const back = await c().patch(services, 'morph', 'merge', { spec: { type: 'ClusterIP' } });
    assert.equal(back.spec.ports[0].nodePort, undefined);
    assert.equal(back.spec.clusterIP, ip);
    assert.equal((await keysUnder(cluster, NODE_PORTS_PREFIX)).has(String(port)), false);
    const ext = await c().patch(services, 'morph', 'merge', { spec: { type: 'ExternalName', externalName: 'example.com' } });
    assert.equal(ext.spec.clusterIP, undefined);
    assert.equal((await keysUnder(cluster, SERVICE_IPS_PREFIX)).has(ip), false);
    const again = await c().patch(services, 'morph', 'merge', { spec: { type: 'ClusterIP', externalName: null } });
    assert.match(again.spec.clusterIP, /^10\.43\./);
    assert.equal((await keysUnder(cluster, SERVICE_IPS_PREFIX)).get(again.spec.clusterIP)?.name, 'morph');
  });

  test('delete releases, but only once finalizers let the service go', async () => {
    const s = await c().create(services, { ...svc('gone', { type: 'NodePort' }), metadata: { name: 'gone', finalizers: ['test/hold'] } });
    const ip = s.spec.clusterIP, port = String(s.spec.ports[0].nodePort);
    await c().delete(services, 'gone');
    assert.equal((await keysUnder(cluster, SERVICE_IPS_PREFIX)).has(ip), true);
    await c().patch(services, 'gone', 'merge', { metadata: { finalizers: null } });
    await assert.rejects(c().get(services, 'gone'), (e: any) => e.code === 404);
    assert.equal((await keysUnder(cluster, SERVICE_IPS_PREFIX)).has(ip), false);
    assert.equal((await keysUnder(cluster, NODE_PORTS_PREFIX)).has(port), false);
    const t = await c().create(services, svc('gone2', { clusterIP: '10.43.0.8' }));
    await c().delete(services, 'gone2', { dryRun: true });
    assert.equal((await keysUnder(cluster, SERVICE_IPS_PREFIX)).get('10.43.0.8')?.uid, t.metadata.uid);
    await c().delete(services, 'gone2');
    assert.equal((await keysUnder(cluster, SERVICE_IPS_PREFIX)).has('10.43.0.8'), false);
  });
});

describe('a small service CIDR', () => {
  let cluster: InProcessCluster;
  let net: ServiceNetwork;
  before(async () => {
    cluster = await startInProcess();
    net = new ServiceNetwork(cluster.registry, cluster.store, { serviceCIDR: '10.96.0.0/29', nodePortRange: '30000-30001' });
  });
  after(async () => { await net.stop(); await cluster.close(); });

  test('runs out with upstream\'s InternalError, and the first address is only given on request', async () => {
    const c = cluster.client();
    const ips = [];
    for (let i = 0; i < 5; i++) ips.push((await c.create(services, svc(`s${i}`))).spec.clusterIP);
    assert.deepEqual([...ips].sort(), ['10.96.0.2', '10.96.0.3', '10.96.0.4', '10.96.0.5', '10.96.0.6']);
    await assert.rejects(c.create(services, svc('s5')), rejectsWith(500, 'Internal error occurred: failed to allocate a serviceIP: range is full'));
    assert.equal((await c.create(services, svc('kube', { clusterIP: '10.96.0.1' }))).spec.clusterIP, '10.96.0.1');
    await c.delete(services, 's0');
    assert.equal((await c.create(services, svc('s6'))).spec.clusterIP, ips[0]);
  });

  test('node ports run out too', async () => {
    const c = cluster.client();
    await c.delete(services, 's1');
    await c.delete(services, 's2');
    await c.create(services, svc('n1', { type: 'NodePort', ports: [{ name: 'a', port: 80 }, { name: 'b', port: 81 }] }));
    await assert.rejects(c.create(services, svc('n2', { type: 'NodePort' })), rejectsWith(500, 'Internal error occurred: failed to allocate a nodePort: range is full'));
  });
});

describe('two API servers on one store', () => {
  let cluster: InProcessCluster;
  const nets: ServiceNetwork[] = [];
  after(async () => { for (const n of nets) await n.stop(); await cluster?.close(); });

  test('40 concurrent creates through two registries get 40 distinct addresses', async () => {
    cluster = await startInProcess();
    const { StorageRegistry } = await import('../registry/registry.js');
    const { builtinAdmission } = await import('../admission/index.js');
    const { LocalClient } = await import('../local-client.js');
    const second = new StorageRegistry(cluster.store, builtinAdmission);
    // A /26 leaves 61 addresses: collisions between the two are likely, and must all be resolved by the store.
    nets.push(new ServiceNetwork(cluster.registry, cluster.store, { serviceCIDR: '10.50.0.0/26' }));
    nets.push(new ServiceNetwork(second, cluster.store, { serviceCIDR: '10.50.0.0/26' }));
    const clients = [cluster.client(), new LocalClient(second, 'test')];
    const made = await Promise.all(Array.from({ length: 40 }, (_, i) => clients[i % 2].create(services, svc(`c${i}`))));
    const ips = made.map((s) => s.spec.clusterIP);
    assert.equal(new Set(ips).size, 40);
    assert.equal((await keysUnder(cluster, SERVICE_IPS_PREFIX)).size, 40);
  });
});

test('serviceIPAt names the well-known addresses', () => {
  assert.equal(serviceIPAt('10.43.0.0/16', 1), '10.43.0.1');
  assert.equal(serviceIPAt('10.43.0.0/16', 10), '10.43.0.10');
  assert.equal(serviceIPAt('10.43.7.9/16', 300), '10.43.1.44');
  assert.throws(() => serviceIPAt('10.96.0.0/29', 7), /no address number 7/);
  assert.throws(() => serviceIPAt('10.0.0.0/8', 1), /too large; for 32-bit addresses, the mask must be >= 12/);
});
