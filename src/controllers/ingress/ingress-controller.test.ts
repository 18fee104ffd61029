/**
 * @module The ingress controller on the in-process cluster: the default IngressClass made (and
 * made again), status addresses from the serving nodes, Warning events for missing services and
 * ports, bad TLS secrets, certificates for other hosts and lost rule conflicts (once each), and
 * other classes' Ingresses left alone.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import type { Obj } from '../../client/client.js';
import { sleep } from '../../client/informer.js';
import { ref } from '../../client/kind-ref.js';
import { ControllerName, DefaultClassAnnotation } from '../../ingress/routes/index.js';
import { classRef, createIngress, createService, createTLSSecret, ingressRef, selfSigned } from '../../ingress/routes/testkit.js';
import { startControllerTestKit, type ControllerTestKit } from '../controller-utils/testkit.js';
import { IngressController } from './ingress-controller.js';
import { waitFor } from '../../../test/support/wait-for.js';

const nodes = ref('Node');
const ns = 'default';
let kit: ControllerTestKit;
let stop: AbortController;

beforeEach(async () => {
  kit = await startControllerTestKit();
  stop = new AbortController();
  for (const [name, ip] of [['n1', '192.0.2.11'], ['n2', '192.0.2.2']]) await node(name!, ip!);
  const c = new IngressController(kit.ctx);
  c.setup();
  await kit.start();
  void c.run(stop.signal);
});
afterEach(async () => {
  stop.abort();
  await kit.close();
});

async function node(name: string, ip: string): Promise<void> {
  const n = await kit.admin.create(nodes, { metadata: { name } });
  await kit.admin.updateStatus(nodes, { ...n, status: { addresses: [{ type: 'InternalIP', address: ip }],
    conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }] } });
}
const ips = async (name: string) => ((await kit.admin.get(ingressRef(ns), name)).status?.loadBalancer?.ingress ?? []).map((i: Obj) => i.ip);
const waitIPs = (name: string, want: string[]) => waitFor(async () => JSON.stringify(await ips(name)) === JSON.stringify(want) || undefined,
  `${name}'s addresses to be ${JSON.stringify(want)}`);
const warnings = (name: string) => kit.events.filter((e) => e.object === `Ingress/${ns}/${name}` && e.type === 'Warning').map((e) => `${e.reason}: ${e.message}`);
const waitWarning = (name: string, reason: string) => waitFor(() => warnings(name).find((w) => w.startsWith(`${reason}:`)),
  `a ${reason} event on ${name} (have ${JSON.stringify(warnings(name))})`);

test('the default IngressClass is made, and made again when deleted', async () => {
  const cls = await waitFor(() => kit.admin.get(classRef(), 'tugboat').catch(() => undefined), 'IngressClass tugboat');
  assert.equal(cls.spec.controller, ControllerName);
  assert.equal(cls.metadata.annotations[DefaultClassAnnotation], 'true');
  await kit.admin.delete(classRef(), 'tugboat');
  const again = await waitFor(() => kit.admin.get(classRef(), 'tugboat').catch(() => undefined), 'IngressClass tugboat again');
  assert.notEqual(again.metadata.uid, cls.metadata.uid);
});

test('our Ingresses get the ready nodes\' InternalIPs, sorted; another class\'s Ingress is not touched', async () => {
  await createService(kit.admin, ns, 'web');
  await createIngress(kit.admin, ns, 'ours', { className: 'tugboat', rules: { 'a.com': [{ path: '/', service: 'web' }] } });
  await createIngress(kit.admin, ns, 'theirs', { className: 'nginx', rules: { 'a.com': [{ path: '/', service: 'gone' }] } });
  await waitIPs('ours', ['192.0.2.11', '192.0.2.2']);
  await node('n3', '192.0.2.3');
  await waitIPs('ours', ['192.0.2.11', '192.0.2.2', '192.0.2.3']);
  await sleep(100);
  assert.deepEqual(await ips('theirs'), []);
  assert.equal(kit.actions.filter((a) => a.name === `${ns}/theirs`).length, 0);
  assert.deepEqual(warnings('theirs'), []);
  assert.deepEqual(warnings('ours'), []);
});

test('Warning events: missing service, missing port, missing and malformed TLS secrets, a certificate for another host, a lost rule — once each', async () => {
  await kit.admin.create(classRef(), { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass',
    metadata: { name: 'tugboat', annotations: { [DefaultClassAnnotation]: 'true' } }, spec: { controller: ControllerName } }).catch(() => undefined);
  await createService(kit.admin, ns, 'web');
  await createTLSSecret(kit.admin, ns, 'other-host', selfSigned('other.com'));
  await kit.admin.create(ref('Secret', ns), { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name: 'garbage' },
    data: { 'tls.crt': Buffer.from('not a certificate').toString('base64'), 'tls.key': Buffer.from('nor a key').toString('base64') } });
  await createIngress(kit.admin, ns, 'old', { rules: { 'a.com': [{ path: '/app', service: 'web' }] } });
  await sleep(1100); // creation times have a resolution of a second
  await createIngress(kit.admin, ns, 'bad', {
    rules: { 'a.com': [{ path: '/app/', service: 'web' }, { path: '/nosvc', service: 'nosuch' }, { path: '/noport', service: 'web', port: 'grpc' }] },
    tls: [{ hosts: ['a.com'], secretName: 'other-host' }, { hosts: ['b.com'], secretName: 'garbage' }, { hosts: ['c.com'], secretName: 'missing' }],
  });
  await waitWarning('bad', 'RuleConflict');
  assert.deepEqual(warnings('bad').sort(), [
    'PortNotFound: Service "default/web" has no port "grpc"',
    'RuleConflict: path /app/ (Prefix) of host "a.com" is already served by older Ingress default/old',
    'ServiceNotFound: Service "default/nosuch" not found',
    'TLSHostMismatch: the certificate in TLS secret "default/other-host" is not valid for host "a.com"',
    'TLSSecretInvalid: TLS secret "default/garbage" has no valid certificate in tls.crt: error:0480006C:PEM routines::no start line: the default certificate is served for b.com',
    'TLSSecretInvalid: TLS secret "default/missing" not found: the default certificate is served for c.com',
  ]);
  assert.deepEqual(warnings('old'), []);
  // Fixing one problem tells nothing new; the others are not repeated.
  const count = kit.events.length;
  await createService(kit.admin, ns, 'nosuch');
  await sleep(200);
  assert.equal(kit.events.length, count);
});
