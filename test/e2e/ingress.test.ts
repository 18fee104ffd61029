/**
 * Ingress end to end: `tug server` with its node agent in a test host serves Ingresses on the
 * host's ports 80/443 through its built-in proxy, to real pods (real containerd, kubectl, curl).
 * A table of routing cases (hosts, wildcards, each path type, precedence, default backend); two
 * TLS hosts with their own certificates by SNI, HTTP/2, and a rotated certificate served without
 * a restart; HTTP → HTTPS redirect; a canary at weight 10 takes about a tenth of the requests; a
 * backend pod deleted under steady load costs no 5xx the retries could cover.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { Agent, request } from 'node:http';
import { connect } from 'node:tls';
import { after, before, test } from 'node:test';
import { selfSignedCertificate } from '../../src/ingress/proxy/certificates.js';
import { TEST_IMAGE } from '../../src/kubelet/images/names.js';
import { ok, startTugServer, type TugServer } from '../support/tug-server.js';
import { waitNodeReady } from '../support/node-agent.js';
import { startTestHosts, type TestHosts } from '../support/test-hosts.js';
import { waitFor } from '../support/wait-for.js';

const NS = 'e2e-ing';
let hosts: TestHosts;
let server: TugServer;
let ip: string;

/** A Deployment + Service whose pods answer every tested path with the app's name. */
const app = (name: string, replicas = 1) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${NS}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: httpd
        image: ${TEST_IMAGE}
        imagePullPolicy: IfNotPresent
        command: [sh, -c, 'mkdir -p /www/b && for f in index.html exact exactly bx b/x; do echo ${name} > /www/$f; done && exec httpd -f -p 8080 -h /www']
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /, port: http}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${NS}}
spec: {selector: {app: ${name}}, ports: [{name: web, port: 80, targetPort: http}]}
`;

const ingresses = `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: routes, namespace: ${NS}}
spec:
  rules:
  - host: a.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: a, port: {number: 80}}}}
      - {path: /exact, pathType: Exact, backend: {service: {name: b, port: {name: web}}}}
      - {path: /b, pathType: Prefix, backend: {service: {name: b, port: {number: 80}}}}
  - host: '*.wild.example.com'
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: b, port: {number: 80}}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: fallback, namespace: ${NS}}
spec:
  defaultBackend: {service: {name: c, port: {number: 80}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: tls, namespace: ${NS}}
spec:
  tls:
  - {hosts: [one.example.com], secretName: one-tls}
  - {hosts: [two.example.com], secretName: two-tls}
  rules:
  - host: one.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: a, port: {number: 80}}}}]}
  - host: two.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: b, port: {number: 80}}}}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: main, namespace: ${NS}}
spec:
  rules:
  - host: canary.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: a, port: {number: 80}}}}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: main-canary
  namespace: ${NS}
  annotations: {nginx.ingress.kubernetes.io/canary: "true", nginx.ingress.kubernetes.io/canary-weight: "10"}
spec:
  rules:
  - host: canary.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: b, port: {number: 80}}}}]}
`;

const k = (...args: string[]) => server.kubectl(['-n', NS, ...args], { timeoutMs: 60_000 });
const keepAlive = new Agent({ keepAlive: true, maxSockets: 8 });

/** One plain-HTTP request to the node's ingress with the given Host header. */
function get(host: string, path: string): Promise<{ status: number; body: string; headers: Record<string, any> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: ip, port: 80, path, headers: { host }, agent: keepAlive, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; }).on('end', () => resolve({ status: res.statusCode!, body: body.trim(), headers: res.headers }));
    });
    req.on('error', reject).on('timeout', () => req.destroy(new Error('timed out')));
    req.end();
  });
}

/** The SHA-256 of the certificate the node serves for an SNI name. */
function servedCert(servername: string): Promise<{ cn: string; fingerprint: string }> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: ip, port: 443, servername, rejectUnauthorized: false }, () => {
      const c = s.getPeerCertificate();
      s.end();
      resolve({ cn: String(c.subject?.CN ?? ''), fingerprint: c.fingerprint256 });
    });
    s.on('error', reject);
  });
}

const tlsSecret = async (name: string, host: string) => {
  const c = await selfSignedCertificate({ commonName: host, dnsNames: [host] });
  return { name, fp: createHash('sha256').update(c.certPem).digest('hex'),
    yaml: `apiVersion: v1\nkind: Secret\nmetadata: {name: ${name}, namespace: ${NS}}\ntype: kubernetes.io/tls\ndata:\n  tls.crt: ${Buffer.from(c.certPem).toString('base64')}\n  tls.key: ${Buffer.from(c.keyPem).toString('base64')}\n` };
};

before(async () => {
  hosts = await startTestHosts(1);
  server = await startTugServer({ agent: true, host: hosts.hosts[0] });
  ip = server.host!.ip;
  await waitNodeReady((a) => server.kubectl(a));
  ok(server.kubectl(['create', 'namespace', NS]));
  const secrets = await Promise.all([tlsSecret('one-tls', 'one.example.com'), tlsSecret('two-tls', 'two.example.com')]);
  ok(server.kubectl(['apply', '-f', '-'], { input: [app('a', 2), app('b'), app('c'), ...secrets.map((s) => s.yaml), ingresses].join('\n---\n') }));
  for (const d of ['a', 'b', 'c']) ok(k('wait', '--for=condition=Available', `deployment/${d}`, '--timeout=120s'));
  await waitFor(async () => (await get('a.example.com', '/').catch(() => ({ body: '' }))).body === 'a', 'the ingress to route to a', 60_000, 500);
});

after(async () => {
  keepAlive.destroy();
  await server?.cleanup();
  await hosts?.stop();
});

test('routing cases: hosts, wildcards, path types, precedence, default backend', async () => {
  const cases: [host: string, path: string, want: string][] = [
    ['a.example.com', '/', 'a'],
    ['A.Example.COM', '/', 'a'], // host names are case-insensitive
    ['a.example.com', '/exact', 'b'], // Exact beats the Prefix /
    ['a.example.com', '/exactly', 'a'], // Exact matches only itself
    ['a.example.com', '/b/x', 'b'], // the longer Prefix wins
    ['a.example.com', '/bx', 'a'], // Prefix matches whole path elements
    ['x.wild.example.com', '/', 'b'], // a wildcard covers one label
    ['y.x.wild.example.com', '/', 'c'], // … not two: the default backend
    ['unknown.example.org', '/', 'c'],
  ];
  for (const [host, path, want] of cases) {
    const r = await get(host, path);
    assert.equal(r.status, 200, `${host}${path}: ${r.status} ${r.body}`);
    assert.equal(r.body, want, `${host}${path} goes to ${want}`);
  }
});

test('the Ingress status lists the node address and the class is tugboat by default', async () => {
  await waitFor(() => ok(k('get', 'ingress', 'routes', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}')).trim() === ip,
    'the ingress status to list the node', 30_000, 500);
  assert.equal(ok(server.kubectl(['get', 'ingressclass', 'tugboat', '-o', 'jsonpath={.metadata.annotations.ingressclass\\.kubernetes\\.io/is-default-class}'])), 'true');
});

test('two TLS hosts get their own certificates by SNI, over HTTP/2; plain HTTP redirects to HTTPS', async () => {
  assert.equal((await servedCert('one.example.com')).cn, 'one.example.com');
  assert.equal((await servedCert('two.example.com')).cn, 'two.example.com');
  const curl = spawnSync('curl', ['-sk', '--http2', '--resolve', `two.example.com:443:${ip}`, '-w', '\\n%{http_version}', 'https://two.example.com/'],
    { encoding: 'utf8', timeout: 20_000 });
  assert.equal(curl.status, 0, curl.stderr);
  assert.deepEqual(curl.stdout.split('\n').filter(Boolean), ['b', '2']);
  const plain = await get('one.example.com', '/');
  assert.equal(plain.status, 308);
  assert.equal(plain.headers.location, 'https://one.example.com/');
});

test('a certificate rotated in its Secret is served without a restart', async () => {
  const before = await servedCert('one.example.com');
  const next = await tlsSecret('one-tls', 'one.example.com');
  ok(server.kubectl(['apply', '-f', '-'], { input: next.yaml }));
  await waitFor(async () => (await servedCert('one.example.com')).fingerprint !== before.fingerprint, 'the new certificate', 20_000, 200);
});

test('a canary at weight 10 gets about a tenth of the requests', async () => {
  await waitFor(async () => (await get('canary.example.com', '/')).status === 200, 'the canary host', 30_000, 500);
  const counts = { a: 0, b: 0, other: 0 };
  const N = 2000;
  for (let i = 0; i < N; i += 20) {
    const rs = await Promise.all(Array.from({ length: 20 }, () => get('canary.example.com', '/')));
    for (const r of rs) counts[r.body === 'a' ? 'a' : r.body === 'b' ? 'b' : 'other']++;
  }
  assert.equal(counts.other, 0, JSON.stringify(counts));
  assert.ok(counts.b > N * 0.06 && counts.b < N * 0.14, `canary share ${counts.b}/${N}`);
});

test('deleting a backend pod under steady load gives no 5xx', async () => {
  const pods = ok(k('get', 'pods', '-l', 'app=a', '-o', 'jsonpath={.items[*].metadata.name}')).split(' ');
  assert.equal(pods.length, 2);
  const statuses = new Map<number, number>();
  let errors = 0;
  let running = true;
  const load = Promise.all(Array.from({ length: 4 }, async () => {
    while (running) {
      const r = await get('a.example.com', '/').catch(() => undefined);
      if (!r) errors++;
      else statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    }
  }));
  await new Promise((r) => setTimeout(r, 1000));
  ok(k('delete', 'pod', pods[0]!, '--wait=false'));
  await new Promise((r) => setTimeout(r, 6000));
  running = false;
  await load;
  const total = [...statuses.values()].reduce((a, b) => a + b, 0);
  const fivexx = [...statuses].filter(([s]) => s >= 500).reduce((a, [, n]) => a + n, 0);
  assert.ok(total > 200, `steady load: ${total} requests`);
  assert.equal(errors, 0, `connection errors: ${errors}`);
  assert.equal(fivexx, 0, `5xx under a pod deletion: ${JSON.stringify([...statuses])}`);
});
