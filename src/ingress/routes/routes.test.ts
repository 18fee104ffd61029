/**
 * @module The route table built by startIngressRoutes from real objects in an in-process API:
 * a table of (host, path) → route cases covering exact and wildcard hosts, each path type,
 * precedence, the default backend, merging across Ingresses, class selection, canaries and
 * regex/rewrite paths; then endpoint resolution, TLS certificates and a rebuild after changes.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { startInProcess, type InProcessCluster } from '../../../test/support/in-process.js';
import type { Client } from '../../client/client.js';
import { sleep } from '../../client/informer.js';
import { ref } from '../../client/kind-ref.js';
import type { RouteTable } from '../types.js';
import { ControllerName, DefaultClassAnnotation, startIngressRoutes, type IngressRoutes } from './index.js';
import { classRef, createIngress, createService, createTLSSecret, ingressRef, selfSigned } from './testkit.js';

const ns = 'default';
let cluster: InProcessCluster;
let client: Client;
let routes: IngressRoutes;
const fooPem = selfSigned('foo.com');

before(async () => {
  cluster = await startInProcess();
  client = cluster.client();
  await client.create(classRef(), { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass',
    metadata: { name: 'tugboat', annotations: { [DefaultClassAnnotation]: 'true' } }, spec: { controller: ControllerName } });
  for (const s of ['exact', 'foo', 'root', 'foobar', 'impl', 'wild', 'any', 'merged', 'api', 'old', 'new', 'default', 'other',
    'canary', 'legacy', 'classless']) await createService(client, ns, `svc-${s}`, [{ ip: '10.1.0.1' }, { ip: '10.1.0.2', ready: false }]);
  await createService(client, ns, 'svc-ending', [{ ip: '10.1.0.9', ready: false, serving: true, terminating: true }]);
  await createTLSSecret(client, ns, 'foo-tls', fooPem);
  // Created a second before the rest: older, so it keeps c.com's /p and the default backend although its name sorts later.
  await createIngress(client, ns, 'z-old', { rules: { 'c.com': [{ path: '/p', service: 'svc-old' }] }, defaultBackend: 'svc-default' });
  await sleep(1100);
  await createIngress(client, ns, 'main', {
    className: 'tugboat',
    rules: {
      'foo.com': [{ path: '/exact', type: 'Exact', service: 'svc-exact' }, { path: '/foo', service: 'svc-foo' },
        { path: '/', service: 'svc-root' }, { path: '/foo/bar/', service: 'svc-foobar' },
        { path: '/impl', type: 'ImplementationSpecific', service: 'svc-impl' }, { path: '/ending', service: 'svc-ending', port: 'http' }],
      '*.wild.com': [{ path: '/', service: 'svc-wild' }],
      '': [{ path: '/any', service: 'svc-any' }],
    },
    tls: [{ hosts: ['foo.com'], secretName: 'foo-tls' }],
  });
  await createIngress(client, ns, 'merge', { rules: {
    'foo.com': [{ path: '/merged', type: 'Exact', service: 'svc-merged' }],
    'bar.com': [{ path: '/x', service: 'svc-missing' }, { path: '/y', service: 'svc-foo', port: 9999 }],
  } });
  await createIngress(client, ns, 'regex', {
    annotations: { 'nginx.ingress.kubernetes.io/rewrite-target': '/$2', 'nginx.ingress.kubernetes.io/proxy-body-size': '8m',
      'nginx.ingress.kubernetes.io/proxy-read-timeout': '5', 'nginx.ingress.kubernetes.io/backend-protocol': 'GRPC' },
    rules: { 're.com': [{ path: '/api(/|$)(.*)', type: 'ImplementationSpecific', service: 'svc-api' }] },
  });
  await createIngress(client, ns, 'a-new', { rules: { 'c.com': [{ path: '/p/', service: 'svc-new' }, { path: '/q', service: 'svc-new' }] },
    defaultBackend: 'svc-other' });
  await createIngress(client, ns, 'canary', {
    annotations: { 'nginx.ingress.kubernetes.io/canary': 'true', 'nginx.ingress.kubernetes.io/canary-weight': '10',
      'nginx.ingress.kubernetes.io/canary-by-header': 'X-Canary', 'nginx.ingress.kubernetes.io/canary-by-cookie': 'canary' },
    rules: { 'foo.com': [{ path: '/foo', service: 'svc-canary' }] },
  });
  await createIngress(client, ns, 'other-class', { className: 'nginx', rules: { 'foo.com': [{ path: '/other', type: 'Exact', service: 'svc-other' }] } });
  await createIngress(client, ns, 'legacy', { annotations: { 'kubernetes.io/ingress.class': 'tugboat' }, rules: { 'legacy.com': [{ path: '/', service: 'svc-legacy' }] } });
  await createIngress(client, ns, 'legacy-other', { annotations: { 'kubernetes.io/ingress.class': 'nginx' }, rules: { 'legacy2.com': [{ path: '/', service: 'svc-legacy' }] } });
  await createIngress(client, ns, 'classless', { rules: { 'classless.com': [{ path: '/', service: 'svc-classless' }] } });
  routes = await startIngressRoutes({ client, log: pino({ level: 'silent' }), debounceMs: 10 });
  await routes.ready;
});
after(async () => { await routes?.stop(); await cluster?.close(); });

/** "ingress → service", or "none" when nothing matches. */
const served = (t: RouteTable, host: string, path: string) => {
  const r = t.match(host, path);
  return r ? `${r.ingress.name} → ${r.backend?.service ?? '(no backend)'}` : 'none';
};

const cases: [host: string, path: string, want: string][] = [
  ['foo.com', '/exact', 'main → svc-exact'],
  ['foo.com', '/exact/', 'main → svc-root'], // Exact does not take a trailing slash
  ['FOO.com:8080', '/foo', 'main → svc-foo'], // host case and port do not matter
  ['foo.com.', '/foo/', 'main → svc-foo'],
  ['foo.com', '/foo/baz', 'main → svc-foo'],
  ['foo.com', '/foobar', 'main → svc-root'], // Prefix is element-wise
  ['foo.com', '/foo/bar', 'main → svc-foobar'], // longest prefix; the rule's trailing slash is ignored
  ['foo.com', '/foo/bar/baz?x=/foo', 'main → svc-foobar'],
  ['foo.com', '/implx', 'main → svc-impl'], // ImplementationSpecific is nginx's string prefix
  ['foo.com', '/merged', 'merge → svc-merged'], // rules of several ingresses merge per host
  ['foo.com', '/other', 'main → svc-root'], // another class's ingress is ignored
  ['a.wild.com', '/anything', 'main → svc-wild'],
  ['b.a.wild.com', '/any', 'main → svc-any'], // a wildcard matches one label only: falls to any-host rules
  ['wild.com', '/', 'z-old → svc-default'],
  ['unknown.com', '/any/thing', 'main → svc-any'],
  ['unknown.com', '/nothing', 'z-old → svc-default'], // the oldest defaultBackend
  ['a.wild.com', '/', 'main → svc-wild'],
  ['c.com', '/p/x', 'z-old → svc-old'], // the older ingress keeps a contested path ("/p/" is "/p")
  ['c.com', '/q', 'a-new → svc-new'],
  ['c.com', '/', 'z-old → svc-default'], // an exact host without a matching path: default backend, not any-host rules
  ['c.com', '/any', 'z-old → svc-default'],
  ['re.com', '/api/users', 'regex → svc-api'],
  ['re.com', '/API', 'regex → svc-api'], // nginx's regex locations are case-insensitive
  ['re.com', '/apix', 'z-old → svc-default'],
  ['legacy.com', '/', 'legacy → svc-legacy'],
  ['legacy2.com', '/', 'z-old → svc-default'],
  ['classless.com', '/x', 'classless → svc-classless'], // no class: ours, as tugboat is the default class
  ['bar.com', '/x', 'merge → (no backend)'],
  ['bar.com', '/y', 'merge → (no backend)'],
];

test('routing: hosts, wildcards, path types, precedence, default backend, merge, classes', () => {
  const t = routes.current();
  const got = cases.map(([h, p]) => [h, p, served(t, h, p)]);
  assert.deepEqual(got, cases);
});

test('a route carries its backend endpoints (ready only; serving-terminating when none is ready), annotations and canary', () => {
  const t = routes.current();
  const foo = t.match('foo.com', '/foo')!;
  assert.deepEqual(foo.backend, { namespace: ns, service: 'svc-foo', port: 80, endpoints: [{ ip: '10.1.0.1', port: 8080 }], protocol: 'HTTP' });
  assert.deepEqual(t.match('foo.com', '/ending')!.backend!.endpoints, [{ ip: '10.1.0.9', port: 8080 }]);
  assert.equal(t.match('foo.com', '/ending')!.backend!.port, 'http');
  assert.deepEqual({ ...foo.canary, backend: foo.canary?.backend.service }, { ingress: { namespace: ns, name: 'canary' }, backend: 'svc-canary',
    weight: 10, weightTotal: 100, header: 'X-Canary', headerValue: undefined, cookie: 'canary' });
  assert.equal(t.match('foo.com', '/foobar')!.canary, undefined);
  assert.equal(foo.sslRedirect, true); // a TLS host
  assert.equal(foo.maxBodyBytes, 1024 * 1024);
  assert.equal(foo.readTimeoutMs, 60_000);
  const api = t.match('re.com', '/api/x')!;
  assert.deepEqual([api.sslRedirect, api.rewriteTarget, api.maxBodyBytes, api.readTimeoutMs, api.backend?.protocol],
    [false, '/$2', 8 * 1024 * 1024, 5000, 'GRPC']);
});

test('certificates by SNI: the secret of the host, none for others', () => {
  const t = routes.current();
  const c = t.certificate('FOO.com');
  assert.equal(c?.certPem, fooPem.certPem);
  assert.equal(c?.keyPem, fooPem.keyPem);
  assert.deepEqual(c?.secret, { namespace: ns, name: 'foo-tls' });
  assert.equal(t.certificate('bar.com'), undefined);
});

test('changes rebuild the table: a slice scaled, the older ingress deleted', async () => {
  const before = routes.current();
  const changed = new Promise<RouteTable>((resolve) => {
    const off = routes.onChange((t) => {
      if (t.match('c.com', '/p')?.ingress.name === 'a-new' && t.match('foo.com', '/foo')?.backend?.endpoints.length === 2) { off(); resolve(t); }
    });
  });
  const sliceRef = ref('EndpointSlice', ns, 'discovery.k8s.io/v1');
  const slice = await client.get(sliceRef, 'svc-foo-abc');
  await client.update(sliceRef, { ...slice, endpoints: [...slice.endpoints, { addresses: ['10.1.0.3'], conditions: { ready: true } }] });
  await client.delete(ingressRef(ns), 'z-old');
  const t = await changed;
  assert.ok(t.version > before.version);
  assert.deepEqual(t.match('foo.com', '/foo')!.backend!.endpoints.map((e) => e.ip), ['10.1.0.1', '10.1.0.3']);
  assert.equal(served(t, 'c.com', '/p'), 'a-new → svc-new');
  assert.equal(served(t, 'unknown.com', '/nothing'), 'a-new → svc-other');
  // The old table is untouched.
  assert.equal(served(before, 'c.com', '/p'), 'z-old → svc-old');
});
