/** @module ServiceLB on the in-process cluster: addresses from the serving nodes, following node changes, port conflicts and their end, type changes, other classes left alone. */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import type { Obj } from '../../client/client.js';
import { sleep } from '../../client/informer.js';
import { ref } from '../../client/kind-ref.js';
import { startControllerTestKit, type ControllerTestKit } from '../controller-utils/testkit.js';
import { EnableLBLabel } from './node-addresses.js';
import { ConditionPortsError, EventPortConflict, ServiceLBController } from './servicelb-controller.js';
import { waitFor } from '../../../test/support/wait-for.js';

const nodes = ref('Node');
const services = ref('Service', 'default');
let kit: ControllerTestKit;
let stop: AbortController;

beforeEach(async () => {
  kit = await startControllerTestKit();
  stop = new AbortController();
  for (const [name, ip] of [['n1', '192.0.2.11'], ['n2', '192.0.2.2'], ['n3', '192.0.2.3']]) await node(name!, ip!);
  const c = new ServiceLBController(kit.ctx);
  c.setup();
  await kit.start();
  void c.run(stop.signal);
});
afterEach(async () => {
  stop.abort();
  await kit.close();
});

async function node(name: string, ip: string, ready = 'True'): Promise<void> {
  const n = await kit.admin.create(nodes, { metadata: { name } });
  await kit.admin.updateStatus(nodes, { ...n, status: { addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: name }],
    conditions: [{ type: 'Ready', status: ready, reason: 'KubeletReady', lastHeartbeatTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') }] } });
}
async function setReady(name: string, status: string): Promise<void> {
  const n = await kit.admin.get(nodes, name);
  await kit.admin.updateStatus(nodes, { ...n, status: { ...n.status, conditions: [{ ...n.status.conditions[0], status }] } });
}
const lb = (name: string, ports: [number, string?][], spec: Obj = {}) => kit.admin.create(services, { metadata: { name },
  spec: { type: 'LoadBalancer', ports: ports.map(([port, protocol], i) => ({ name: `p${i}`, port, protocol: protocol ?? 'TCP' })), ...spec } });
const ingressIPs = async (name: string) => ((await kit.admin.get(services, name)).status?.loadBalancer?.ingress ?? []).map((i: Obj) => i.ip);
const waitIngress = (name: string, want: string[]) => waitFor(async () => {
  const got = await ingressIPs(name);
  return JSON.stringify(got) === JSON.stringify(want) || undefined;
}, `${name}'s ingress to be ${JSON.stringify(want)} (have ${JSON.stringify(kit.events.slice(-3))})`);
const statusWrites = (name: string) => kit.actions.filter((a) => a.resource === 'services/status' && a.name === `default/${name}`).length;

test('a LoadBalancer service gets the InternalIPs of the ready nodes, sorted, as VIPs; other classes and types are left alone', async () => {
  await lb('web', [[80]]);
  await lb('ours', [[81]], { loadBalancerClass: 'tugboat.io/servicelb' });
  await lb('theirs', [[82]], { loadBalancerClass: 'example.com/metallb' });
  await kit.admin.create(services, { metadata: { name: 'plain' }, spec: { ports: [{ port: 83 }] } });
  await waitIngress('web', ['192.0.2.11', '192.0.2.2', '192.0.2.3']);
  await waitIngress('ours', ['192.0.2.11', '192.0.2.2', '192.0.2.3']);
  const web = await kit.admin.get(services, 'web');
  assert.deepEqual(web.status.loadBalancer.ingress[0], { ip: '192.0.2.11', ipMode: 'VIP' });
  assert.ok(kit.events.some((e) => e.object === 'Service/default/web' && e.reason === 'UpdatedLoadBalancer' &&
    e.message === 'Updated LoadBalancer with new IPs: [] -> [192.0.2.11 192.0.2.2 192.0.2.3]'));
  await sleep(100);
  assert.equal(statusWrites('theirs'), 0);
  assert.equal(statusWrites('plain'), 0);
  assert.deepEqual(await ingressIPs('theirs'), []);
});

test('addresses follow the nodes: NotReady, unschedulable and deleted nodes leave, new ones join, the enablelb label selects; heartbeats write nothing', async () => {
  await lb('web', [[80]]);
  await waitIngress('web', ['192.0.2.11', '192.0.2.2', '192.0.2.3']);
  await setReady('n2', 'False');
  await waitIngress('web', ['192.0.2.11', '192.0.2.3']);
  await kit.admin.patch(nodes, 'n3', 'merge', { spec: { unschedulable: true } });
  await waitIngress('web', ['192.0.2.11']);
  await node('n4', '192.0.2.4');
  await waitIngress('web', ['192.0.2.11', '192.0.2.4']);
  await kit.admin.delete(nodes, 'n1');
  await waitIngress('web', ['192.0.2.4']);
  await setReady('n2', 'True');
  await kit.admin.patch(nodes, 'n2', 'merge', { metadata: { labels: { [EnableLBLabel]: 'true' } } });
  await waitIngress('web', ['192.0.2.2']);

  const writes = statusWrites('web');
  for (let i = 0; i < 3; i++) await setReady('n2', 'True');
  await sleep(150);
  assert.equal(statusWrites('web'), writes, 'a heartbeat that changes nothing writes nothing');

  await setReady('n2', 'Unknown');
  await waitIngress('web', []);
  assert.ok(kit.events.some((e) => e.reason === 'UnAvailableLoadBalancer' && e.type === 'Warning'));
});

test('the younger of two services wanting one port gets no address, an event and a condition, until the older one goes', async () => {
  await lb('zeta', [[80]]);
  await waitIngress('zeta', ['192.0.2.11', '192.0.2.2', '192.0.2.3']);
  await sleep(1100); // creationTimestamp has whole seconds: make alpha younger although its name sorts first.
  await lb('alpha', [[443], [80]]);
  await lb('udp', [[80, 'UDP']]);
  await lb('tls', [[443]]);
  await waitFor(() => kit.events.find((e) => e.reason === EventPortConflict), 'the PortConflict event');
  await waitIngress('udp', ['192.0.2.11', '192.0.2.2', '192.0.2.3']);
  // alpha lost 80, so its 443 is not held: tls has it.
  await waitIngress('tls', ['192.0.2.11', '192.0.2.2', '192.0.2.3']);
  assert.deepEqual(await ingressIPs('alpha'), []);
  const conflicts = kit.events.filter((e) => e.reason === EventPortConflict);
  assert.deepEqual(conflicts.map((e) => [e.object, e.type, e.message]),
    [['Service/default/alpha', 'Warning', 'port 80/TCP is already used by LoadBalancer service default/zeta']]);
  const cond = (await kit.admin.get(services, 'alpha')).status.conditions?.find((c: Obj) => c.type === ConditionPortsError);
  assert.deepEqual([cond?.status, cond?.reason, cond?.message], ['True', 'PortConflict', 'port 80/TCP is already used by LoadBalancer service default/zeta']);

  // zeta stops wanting 80: alpha, older than tls (same second, its name first), takes 443 back; tls is told.
  await kit.admin.patch(services, 'zeta', 'merge', { spec: { ports: [{ name: 'p0', port: 8080, protocol: 'TCP' }] } });
  await waitIngress('alpha', ['192.0.2.11', '192.0.2.2', '192.0.2.3']);
  await waitIngress('tls', []);
  assert.equal((await kit.admin.get(services, 'alpha')).status.conditions?.find((c: Obj) => c.type === ConditionPortsError), undefined);
  await waitFor(() => kit.events.filter((e) => e.reason === EventPortConflict).length === 2 || undefined, 'the second PortConflict event');
  assert.deepEqual(kit.events.filter((e) => e.reason === EventPortConflict).map((e) => [e.object, e.message])[1],
    ['Service/default/tls', 'port 443/TCP is already used by LoadBalancer service default/alpha']);

  await kit.admin.delete(services, 'alpha');
  await waitIngress('tls', ['192.0.2.11', '192.0.2.2', '192.0.2.3']);
  assert.equal((await kit.admin.get(services, 'tls')).status.conditions?.find((c: Obj) => c.type === ConditionPortsError), undefined);
  assert.equal(kit.events.filter((e) => e.reason === EventPortConflict).length, 2);
});

test('a service that stops being a LoadBalancer loses its addresses', async () => {
  await lb('web', [[80]]);
  await waitIngress('web', ['192.0.2.11', '192.0.2.2', '192.0.2.3']);
  const svc = await kit.admin.get(services, 'web');
  await kit.admin.update(services, { ...svc, spec: { ...svc.spec, type: 'ClusterIP', allocateLoadBalancerNodePorts: undefined,
    externalTrafficPolicy: undefined, ports: svc.spec.ports.map(({ nodePort: _n, ...p }: Obj) => p) } });
  await waitIngress('web', []);
  assert.equal((await kit.admin.get(services, 'web')).status.loadBalancer?.ingress, undefined);
});
