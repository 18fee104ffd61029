/**
 * Services end to end on one node: `tug server` with its node agent runs in a test host (its own
 * network namespace, so its node address is a real one), with real containerd, nftables and kubectl.
 * From inside a pod, service names resolve through the cluster DNS and reach ready pods only;
 * NodePort and LoadBalancer services answer on the node's address (also from outside the node);
 * headless services resolve to pod IPs; ClientIP affinity sticks; a service with no pods refuses
 * at once. Stopping the server removes its proxy table.
 */
import assert from 'node:assert/strict';
import { get } from 'node:http';
import { after, before, test } from 'node:test';
import { TEST_IMAGE } from '../../src/kubelet/images/names.js';
import { ok, startTugServer, type TugServer } from '../support/tug-server.js';
import { waitNodeReady } from '../support/node-agent.js';
import { startTestHosts, type TestHosts } from '../support/test-hosts.js';
import { waitFor } from '../support/wait-for.js';

const NS = 'e2e-svc';
let hosts: TestHosts;
let server: TugServer;

const httpd = (name: string, labels: string, replicas: number, ready: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${NS}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {${labels}}}
  template:
    metadata: {labels: {${labels}}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: httpd
        image: ${TEST_IMAGE}
        imagePullPolicy: IfNotPresent
        command: [sh, -c, 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www']
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {exec: {command: [sh, -c, '${ready}']}, periodSeconds: 1}
`;

const objects = `${httpd('web', 'app: web, tier: ready', 2, 'true')}
---
${httpd('lame', 'app: web, tier: lame', 1, 'false')}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: ${NS}}
spec:
  terminationGracePeriodSeconds: 1
  containers: [{name: c, image: ${TEST_IMAGE}, imagePullPolicy: IfNotPresent, command: [sleep, '86400']}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: ${NS}}
spec: {selector: {app: web}, ports: [{name: http, port: 80, targetPort: http}]}
---
apiVersion: v1
kind: Service
metadata: {name: web-np, namespace: ${NS}}
spec: {type: NodePort, selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: web-lb, namespace: ${NS}}
spec: {type: LoadBalancer, selector: {app: web}, ports: [{port: 8081, targetPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: web-headless, namespace: ${NS}}
spec: {clusterIP: None, selector: {app: web}, ports: [{port: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: web-sticky, namespace: ${NS}}
spec: {sessionAffinity: ClientIP, selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: nobody, namespace: ${NS}}
spec: {selector: {app: nobody}, ports: [{port: 80}]}
`;

const k = (...args: string[]) => server.kubectl(['-n', NS, ...args], { timeoutMs: 60_000 });
/** wget from inside the client pod; the exit code tells whether it got an answer (busybox wget's own -T crashes it). */
const wgetInPod = (url: string) => k('exec', 'client', '--', 'timeout', '5', 'wget', '-q', '-O', '-', url);
const podsOf = (selector: string) => JSON.parse(ok(k('get', 'pods', '-l', selector, '-o', 'json'))).items as any[];
const hostGet = (host: string, port: number) => new Promise<string>((resolve, reject) => {
  get({ host, port, path: '/', timeout: 5000 }, (res) => {
    let body = '';
    res.on('data', (d) => { body += d; }).on('end', () => resolve(body.trim()));
  }).on('error', reject).on('timeout', function (this: any) { this.destroy(new Error('timed out')); });
});

before(async () => {
  hosts = await startTestHosts(1);
  server = await startTugServer({ agent: true, host: hosts.hosts[0] });
  await waitNodeReady((a) => server.kubectl(a));
  ok(server.kubectl(['create', 'namespace', NS]));
  ok(server.kubectl(['apply', '-f', '-'], { input: objects }));
  ok(k('wait', '--for=condition=Available', 'deployment/web', '--timeout=120s'));
  ok(k('wait', '--for=condition=Ready', 'pod/client', '--timeout=120s'));
  await waitFor(() => podsOf('tier=lame').some((p) => p.status?.phase === 'Running'), 'the not-ready pod to run', 60_000, 500);
});

after(async () => {
  await server?.cleanup();
  await hosts?.stop();
});

test('a service name resolves in a pod and reaches only ready pods, spread over them', async () => {
  const ready = new Set(podsOf('tier=ready').map((p) => p.metadata.name));
  const lame = podsOf('tier=lame').map((p) => p.metadata.name);
  await waitFor(() => wgetInPod(`http://web.${NS}.svc.cluster.local/`).code === 0, 'the service to answer by name', 30_000, 500);
  const seen = new Map<string, number>();
  for (let i = 0; i < 24; i++) {
    const who = ok(wgetInPod(`http://web.${NS}.svc.cluster.local/`)).trim();
    seen.set(who, (seen.get(who) ?? 0) + 1);
  }
  for (const who of seen.keys()) assert.ok(ready.has(who), `answer from ${who}, not one of the ready pods ${[...ready]} (not-ready: ${lame})`);
  assert.equal(seen.size, 2, `both ready pods answer: ${JSON.stringify([...seen])}`);
  // The short name works through the search path, as in Kubernetes.
  assert.ok(ready.has(ok(wgetInPod('http://web/')).trim()));
});

test('a NodePort answers on the node address, from a pod and from outside the node', async () => {
  const nodePort = Number(ok(k('get', 'svc', 'web-np', '-o', 'jsonpath={.spec.ports[0].nodePort}')));
  assert.ok(nodePort >= 30000 && nodePort <= 32767, `nodePort ${nodePort}`);
  const ready = new Set(podsOf('tier=ready').map((p) => p.metadata.name));
  await waitFor(() => wgetInPod(`http://${server.host!.ip}:${nodePort}/`).code === 0, 'the NodePort to answer in a pod', 30_000, 500);
  assert.ok(ready.has(await hostGet(server.host!.ip, nodePort)));
});

test('a LoadBalancer service gets the node address and answers there; a second one on its port is refused with an event', async () => {
  await waitFor(() => ok(k('get', 'svc', 'web-lb', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}')).trim() === server.host!.ip,
    'the LoadBalancer to get the node address', 30_000, 500);
  const ready = new Set(podsOf('tier=ready').map((p) => p.metadata.name));
  await waitFor(async () => ready.has(await hostGet(server.host!.ip, 8081).catch(() => '')), 'the LoadBalancer to answer', 30_000, 500);
  ok(k('create', 'service', 'loadbalancer', 'web-lb2', '--tcp=8081:8080'));
  await waitFor(() => ok(k('get', 'events', '--field-selector', 'involvedObject.name=web-lb2', '-o', 'jsonpath={.items[*].reason}')).includes('PortConflict'),
    'a PortConflict event on the second LoadBalancer', 30_000, 500);
  assert.equal(ok(k('get', 'svc', 'web-lb2', '-o', 'jsonpath={.status.loadBalancer.ingress}')).trim(), '');
});

test('a headless service resolves to the ready pods\' IPs', async () => {
  const ips = podsOf('tier=ready').map((p) => p.status.podIP).sort();
  await waitFor(() => {
    const out = k('exec', 'client', '--', 'nslookup', `web-headless.${NS}.svc.cluster.local`).stdout;
    // The server's own line reads "Address: 10.43.0.10:53"; the answers have no port.
    const found = [...out.matchAll(/^Address:\s*([\d.]+)\s*$/gm)].map((m) => m[1]).sort();
    return JSON.stringify(found) === JSON.stringify(ips);
  }, `web-headless to resolve to ${ips}`, 30_000, 500);
});

test('ClientIP affinity sends one client to one pod', async () => {
  await waitFor(() => wgetInPod(`http://web-sticky.${NS}/`).code === 0, 'the sticky service to answer', 30_000, 500);
  const answers = new Set<string>();
  for (let i = 0; i < 12; i++) answers.add(ok(wgetInPod(`http://web-sticky.${NS}/`)).trim());
  assert.equal(answers.size, 1, `one pod answers: ${[...answers]}`);
});

test('a service with no pods refuses at once', () => {
  const t0 = Date.now();
  const r = wgetInPod(`http://nobody.${NS}/`);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /Connection refused/);
  assert.ok(Date.now() - t0 < 2500, `refused in ${Date.now() - t0} ms, not after a timeout`);
});

test('stopping the server removes its proxy table from the node', async () => {
  const tables = () => hosts.exec(server.host!, ['nft', 'list', 'tables']).stdout;
  assert.match(tables(), /tugboat-svc-/);
  await server.stop();
  assert.doesNotMatch(tables(), /tugboat-svc-/);
});
