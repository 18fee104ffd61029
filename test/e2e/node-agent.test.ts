/**
 * The node agent end to end: `tug server` with its own containerd runs a Deployment of the busybox
 * test image serving HTTP; the pods answer on their IPs, and the real kubectl's logs -f, exec,
 * port-forward and cp work through the API server. Deleting the pods leaves nothing behind, and
 * killing and restarting the server neither restarts nor duplicates running pods.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { TEST_IMAGE } from '../../src/kubelet/images/names.js';
import { ok, startTugServer, type TugServer } from '../support/tug-server.js';
import { nodeLeftovers, podIPs, waitForLine, waitNodeReady } from '../support/node-agent.js';
import { waitFor } from '../support/wait-for.js';

const NS = 'e2e-agent';
let server: TugServer;
const scratch = mkdtempSync(join(tmpdir(), 'tug-agent-e2e-'));

const web = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ${NS}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - name: httpd
        image: ${TEST_IMAGE}
        imagePullPolicy: IfNotPresent
        command: [sh, -c, 'mkdir -p /www && echo "hello from $(hostname)" > /www/index.html && echo serving && exec httpd -f -p 8080 -h /www']
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /, port: http}, periodSeconds: 1}
`;

const ticker = `
apiVersion: v1
kind: Pod
metadata: {name: ticker, namespace: ${NS}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: ${TEST_IMAGE}
    imagePullPolicy: Never
    command: [sh, -c, 'i=0; while true; do echo "tick $i"; i=$((i+1)); sleep 0.2; done']
`;

const k = (...args: string[]) => server.kubectl(['-n', NS, ...args], { timeoutMs: 90_000 });
const kAsync = (args: string[], input?: string) => server.kubectlAsync(['-n', NS, ...args], { timeoutMs: 90_000, input });
const webPods = () => ok(k('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].metadata.name}')).split(' ').filter(Boolean);

before(async () => {
  server = await startTugServer({ agent: true });
  await waitNodeReady((a) => server.kubectl(a));
  ok(server.kubectl(['create', 'namespace', NS]));
  ok(server.kubectl(['apply', '-f', '-'], { input: web + '---' + ticker }));
  ok(await kAsync(['rollout', 'status', 'deployment/web', '--timeout=90s']));
  ok(await kAsync(['wait', 'pod/ticker', '--for=condition=Ready', '--timeout=60s']));
});
after(async () => {
  await server?.cleanup();
  rmSync(scratch, { recursive: true, force: true });
});

test('each pod of the Deployment answers HTTP on its pod IP', async () => {
  const ips = podIPs(ok(k('get', 'pods', '-l', 'app=web', '-o', 'json')));
  assert.equal(ips.length, 2);
  for (const { name, ip } of ips) {
    const res = await fetch(`http://${ip}:8080/`);
    assert.equal(res.status, 200);
    assert.equal((await res.text()).trim(), `hello from ${name}`);
  }
});

test('kubectl get pods shows the pods Running and Ready on the node', () => {
  const pod = JSON.parse(ok(k('get', 'pod', 'ticker', '-o', 'json')));
  assert.equal(pod.status.phase, 'Running');
  assert.equal(pod.status.qosClass, 'BestEffort');
  assert.match(pod.status.containerStatuses[0].containerID, /^containerd:\/\/[0-9a-f]{64}$/);
  assert.equal(pod.status.containerStatuses[0].ready, true);
  assert.ok(pod.status.containerStatuses[0].state.running.startedAt);
  assert.deepEqual(pod.status.conditions.map((c: { type: string; status: string }) => `${c.type}=${c.status}`).sort(),
    ['ContainersReady=True', 'Initialized=True', 'PodReadyToStartContainers=True', 'PodScheduled=True', 'Ready=True']);
});

test('kubectl logs: whole log, --tail, --timestamps and -f', async () => {
  const [pod] = webPods();
  assert.equal(ok(k('logs', pod!)), 'serving\n');
  await waitFor(() => ok(k('logs', 'ticker')).split('\n').length > 6, 'six ticks', 10_000, 100);
  const tail = ok(k('logs', 'ticker', '--tail=2')).trim().split('\n');
  assert.equal(tail.length, 2);
  assert.match(tail[0]!, /^tick \d+$/);
  assert.match(ok(k('logs', 'ticker', '--tail=1', '--timestamps')), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z tick \d+\n$/);
  // -f keeps streaming new lines as the container writes them.
  const follow = server.kubectlSpawn(['-n', NS, 'logs', '-f', 'ticker', '--tail=1']);
  try {
    const first = await waitForLine(follow, /^tick (\d+)$/);
    const later = await waitForLine(follow, (l) => /^tick \d+$/.test(l) && Number(l.slice(5)) >= Number(first.slice(5)) + 3);
    assert.ok(later);
  } finally {
    follow.kill('SIGKILL');
  }
});

test('kubectl exec: output, stderr, exit code and stdin', async () => {
  const r = await kAsync(['exec', 'ticker', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
  assert.equal(r.code, 3);
  assert.equal(r.stdout, 'out\n');
  assert.equal(r.stderr, 'err\ncommand terminated with exit code 3\n');
  const cat = await kAsync(['exec', '-i', 'ticker', '--', 'sh', '-c', 'tr a-z A-Z'], 'shout\n');
  assert.equal(ok(cat), 'SHOUT\n');
  const missing = await kAsync(['exec', 'ticker', '--', 'no-such-command']);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /no-such-command/);
});

test('kubectl port-forward reaches the pod', async () => {
  const [pod] = webPods();
  const pf = server.kubectlSpawn(['-n', NS, 'port-forward', `pod/${pod}`, ':8080']);
  try {
    const line = await waitForLine(pf, /^Forwarding from 127\.0\.0\.1:(\d+) -> 8080$/);
    const port = /:(\d+) ->/.exec(line)![1];
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`http://127.0.0.1:${port}/`);
      assert.equal((await res.text()).trim(), `hello from ${pod}`);
    }
  } finally {
    pf.kill('SIGKILL');
  }
});

test('kubectl cp copies a file into the pod and back', async () => {
  const src = join(scratch, 'in.txt');
  const content = 'line one\nline two\n' + 'x'.repeat(100_000) + '\n';
  writeFileSync(src, content);
  ok(await kAsync(['cp', src, `${NS}/ticker:/tmp/in.txt`]));
  assert.equal(ok(await kAsync(['exec', 'ticker', '--', 'wc', '-c', '/tmp/in.txt'])).trim().split(/\s+/)[0], String(content.length));
  const back = join(scratch, 'back.txt');
  ok(await kAsync(['cp', `${NS}/ticker:/tmp/in.txt`, back]));
  assert.equal(readFileSync(back, 'utf8'), content);
});

test('volumes and env: configMap, secret, downwardAPI, emptyDir, subPath; an updated configMap reaches the volume', async () => {
  ok(k('create', 'configmap', 'cfg', '--from-literal=greeting=hello', '--from-literal=color=blue'));
  ok(k('create', 'secret', 'generic', 'creds', '--from-literal=password=s3cret'));
  ok(server.kubectl(['-n', NS, 'apply', '-f', '-'], { input: `
apiVersion: v1
kind: Pod
metadata: {name: config, labels: {tier: backend}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: ${TEST_IMAGE}
    imagePullPolicy: Never
    command: [sleep, '3600']
    env:
    - {name: GREETING, valueFrom: {configMapKeyRef: {name: cfg, key: greeting}}}
    - {name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
    - {name: MEM_LIMIT, valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Mi}}}
    - {name: MESSAGE, value: '$(GREETING) from $(POD_NAME)'}
    envFrom: [{secretRef: {name: creds}, prefix: SECRET_}]
    resources: {limits: {memory: 64Mi}}
    volumeMounts:
    - {name: cfg, mountPath: /etc/cfg}
    - {name: creds, mountPath: /etc/creds, readOnly: true}
    - {name: info, mountPath: /etc/info}
    - {name: scratch, mountPath: /scratch}
    - {name: cfg, mountPath: /etc/color, subPath: color}
  volumes:
  - {name: cfg, configMap: {name: cfg}}
  - {name: creds, secret: {secretName: creds, defaultMode: 0400}}
  - {name: info, downwardAPI: {items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}]}}
  - {name: scratch, emptyDir: {medium: Memory, sizeLimit: 8Mi}}
` }));
  ok(await kAsync(['wait', 'pod/config', '--for=condition=Ready', '--timeout=60s']));
  const sh = (cmd: string) => ok(k('exec', 'config', '--', 'sh', '-c', cmd));
  assert.equal(sh('echo "$MESSAGE|$MEM_LIMIT|$SECRET_password"'), 'hello from config|64|s3cret\n');
  assert.equal(sh('cat /etc/cfg/greeting /etc/creds/password /etc/color'), 'hellos3cretblue');
  assert.equal(sh('cat /etc/info/labels'), 'tier="backend"');
  assert.match(sh('stat -c %a /etc/creds/..data/password'), /^400\n$/);
  assert.match(sh('grep " /scratch " /proc/mounts'), /^tmpfs \/scratch tmpfs .*size=8192k/);
  ok(k('patch', 'configmap', 'cfg', '-p', '{"data":{"greeting":"bonjour"}}'));
  await waitFor(() => sh('cat /etc/cfg/greeting') === 'bonjour', 'the updated configMap in the volume', 60_000, 500);
  assert.equal(sh('cat /etc/color'), 'blue', 'a subPath mount does not follow updates (as Kubernetes)');
  ok(k('delete', 'pod', 'config', '--wait=true'));
});

test('killing and restarting the server neither restarts nor duplicates running pods', async () => {
  const before = JSON.parse(ok(k('get', 'pods', '-o', 'json'))).items
    .map((p: any) => `${p.metadata.name} ${p.status.containerStatuses[0].containerID} ${p.status.containerStatuses[0].restartCount}`).sort();
  const containersBefore = nodeLeftovers(server.dataDir).containers;
  await server.kill();
  await server.restart();
  await waitNodeReady((a) => server.kubectl(a));
  // Give the agent time to sync every pod once after adopting them.
  await new Promise((r) => setTimeout(r, 3000));
  const after = JSON.parse(ok(k('get', 'pods', '-o', 'json'))).items
    .map((p: any) => `${p.metadata.name} ${p.status.containerStatuses[0].containerID} ${p.status.containerStatuses[0].restartCount}`).sort();
  assert.deepEqual(after, before);
  assert.deepEqual(nodeLeftovers(server.dataDir).containers.sort(), containersBefore.sort());
  const [pod] = webPods();
  const ip = podIPs(ok(k('get', 'pod', pod!, '-o', 'json')))[0]!.ip;
  assert.equal((await (await fetch(`http://${ip}:8080/`)).text()).trim(), `hello from ${pod}`);
});

test('deleting the pods leaves no container, sandbox, veth, IP reservation, cgroup or log directory', async () => {
  ok(await kAsync(['delete', 'deployment', 'web', '--wait=true']));
  ok(await kAsync(['delete', 'pod', 'ticker', '--wait=true']));
  await waitFor(() => ok(k('get', 'pods', '-o', 'name')).trim() === '', 'pods gone', 60_000, 200);
  const left = await waitFor(() => {
    const l = nodeLeftovers(server.dataDir);
    return l.containers.length + l.sandboxes.length + l.veths.length + l.ips.length + l.cgroups.length + l.logDirs.length === 0 ? l : false;
  }, 'nothing left behind', 30_000, 250).catch(() => nodeLeftovers(server.dataDir));
  assert.deepEqual(left, { containers: [], sandboxes: [], veths: [], ips: [], cgroups: [], logDirs: [] });
});
