/**
 * Two nodes end to end: `tug server` in one test host (a network namespace) and `tug agent` joined
 * from another, each with its own containerd. Both get a /24 of 10.42.0.0/16; pods on one reach pods
 * on the other by their own IPs (host-gw routes, no masquerade) and through a Service by its DNS
 * name. A node whose agent is killed goes NotReady and its pods come back on the other node; the
 * agent's restart brings the same Node back. Afterwards nothing of the test is left on the machine.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { TEST_IMAGE } from '../../src/kubelet/images/names.js';
import { readAgentLayout } from '../../src/kubelet/layout.js';
import { leftoverTestHosts, startTestHosts, type TestHosts } from '../support/test-hosts.js';
import { ok, startTugAgent, startTugServer, type TugAgent, type TugServer } from '../support/tug-server.js';
import { waitFor } from '../support/wait-for.js';

let hosts: TestHosts;
let server: TugServer;
let agent: TugAgent;
let serverNode: string;
let agentNode: string;
const nftTablesBefore = nftTables();

// busybox httpd: its index names the pod; its CGI answers with the client's address as it arrives.
const web = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 4
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      topologySpreadConstraints:
      - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: web}}}
      tolerations:
      - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 5}
      - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 5}
      containers:
      - name: httpd
        image: ${TEST_IMAGE}
        imagePullPolicy: IfNotPresent
        command:
        - sh
        - -c
        - |
          mkdir -p /www/cgi-bin
          echo "hello from $(hostname)" > /www/index.html
          cat > /www/cgi-bin/ip <<'EOF'
          #!/bin/sh
          printf 'Content-Type: text/plain\\r\\n\\r\\n%s' "$REMOTE_ADDR"
          EOF
          chmod +x /www/cgi-bin/ip
          exec httpd -f -p 8080 -h /www
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /, port: http}, periodSeconds: 1}
`;

interface PodInfo { name: string; ip: string; node: string; ready: boolean; terminating: boolean }
const k = (...args: string[]) => server.kubectl(args, { timeoutMs: 60_000 });
function webPods(): PodInfo[] {
  return (JSON.parse(ok(k('get', 'pods', '-l', 'app=web', '-o', 'json'))).items as any[]).map((p) => ({
    name: p.metadata.name, ip: p.status?.podIP ?? '', node: p.spec.nodeName ?? '', terminating: !!p.metadata.deletionTimestamp,
    ready: !!p.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'),
  }));
}
const nodes = () => JSON.parse(ok(k('get', 'nodes', '-o', 'json'))).items as any[];
const readyOf = (n: any) => n.status?.conditions?.find((c: any) => c.type === 'Ready')?.status;
/** wget from inside a pod; the body, or throws with busybox's message. (This busybox's wget -T segfaults: kubectl's timeout bounds it.) */
async function wgetFrom(pod: string, url: string): Promise<string> {
  return ok(await server.kubectlAsync(['exec', pod, '--', 'wget', '-q', '-O', '-', url], { timeoutMs: 15_000 }));
}

/** busybox httpd listens on IPv6 and hands CGIs IPv4 clients as [::ffff:a.b.c.d]. */
const clientIP = (remoteAddr: string) => remoteAddr.replace(/^\[::ffff:(.*)\]$/, '$1');

before(async () => {
  hosts = await startTestHosts(2);
  const [h1, h2] = hosts.hosts;
  let t0 = Date.now();
  server = await startTugServer({ host: h1, agent: true, extraArgs: ['--node-monitor-grace-period', '10s'] });
  serverNode = server.nodeName!;
  try {
    await waitFor(() => nodes().some((n) => n.metadata.name === serverNode && readyOf(n) === 'True'), 'the server\'s node to be Ready', 90_000, 250);
    process.stderr.write(`# server in ${h1!.ns} Ready in ${Date.now() - t0} ms\n`);
    t0 = Date.now();
    agent = await startTugAgent({ server, host: h2! });
    agentNode = agent.nodeName;
    process.stderr.write(`# agent in ${h2!.ns} joined and Ready in ${Date.now() - t0} ms\n`);
  } catch (e) {
    throw new Error(`${(e as Error).message}\n--- tug server (exit ${server.proc.exitCode}):\n${server.stderr().slice(-4000)}`);
  }
});

after(async () => {
  await cleanUp();
});

let cleaned = false;
async function cleanUp(): Promise<void> {
  if (cleaned) return;
  cleaned = true;
  await agent?.cleanup();
  await server?.cleanup();
  await hosts?.stop();
}

test('both nodes are Ready, each with its own /24 of 10.42.0.0/16 and its host\'s address', () => {
  const byName = new Map(nodes().map((n) => [n.metadata.name, n]));
  assert.deepEqual([...byName.keys()].sort(), [serverNode, agentNode].sort());
  const cidrs: string[] = [];
  for (const [name, host] of [[serverNode, hosts.hosts[0]!], [agentNode, hosts.hosts[1]!]] as const) {
    const n = byName.get(name);
    assert.equal(readyOf(n), 'True', `${name} Ready`);
    assert.match(n.spec.podCIDR, /^10\.42\.\d{1,3}\.0\/24$/);
    assert.deepEqual(n.spec.podCIDRs, [n.spec.podCIDR]);
    assert.equal(n.status.addresses.find((a: any) => a.type === 'InternalIP')?.address, host.ip);
    cidrs.push(n.spec.podCIDR);
  }
  assert.notEqual(cidrs[0], cidrs[1]);
});

test('a Deployment of 4 pods spreads over both nodes, each pod in its node\'s podCIDR', async () => {
  ok(server.kubectl(['apply', '-f', '-'], { input: web }));
  ok(await server.kubectlAsync(['rollout', 'status', 'deployment/web', '--timeout=120s'], { timeoutMs: 130_000 }));
  const pods = webPods();
  assert.equal(pods.length, 4);
  const cidrOf = new Map(nodes().map((n) => [n.metadata.name, n.spec.podCIDR as string]));
  for (const p of pods) assert.ok(p.ip.startsWith(cidrOf.get(p.node)!.replace(/0\/24$/, '')), `${p.name} ${p.ip} in ${cidrOf.get(p.node)}`);
  assert.deepEqual(new Set(pods.map((p) => p.node)), new Set([serverNode, agentNode]));
});

test('pods reach pods on the other node by their IPs, and are seen with their own IPs', async () => {
  const pods = webPods();
  const a = pods.find((p) => p.node === serverNode)!;
  const b = pods.find((p) => p.node === agentNode)!;
  for (const [from, to] of [[a, b], [b, a]]) {
    assert.equal((await wgetFrom(from.name, `http://${to.ip}:8080/`)).trim(), `hello from ${to.name}`);
    assert.equal(clientIP(await wgetFrom(from.name, `http://${to.ip}:8080/cgi-bin/ip`)), from.ip, `${to.name} sees ${from.name}'s own address`);
  }
});

test('a pod reaches a Service whose only pod is on the other node, by ClusterIP and by DNS name', async () => {
  const pods = webPods();
  const a = pods.find((p) => p.node === serverNode)!;
  const b = pods.find((p) => p.node === agentNode)!;
  ok(k('label', 'pod', b.name, 'pin=b'));
  ok(server.kubectl(['apply', '-f', '-'], { input: `
apiVersion: v1
kind: Service
metadata: {name: web-b, namespace: default}
spec:
  selector: {app: web, pin: b}
  ports: [{name: http, port: 80, targetPort: http}]
` }));
  const clusterIP = ok(k('get', 'service', 'web-b', '-o', 'jsonpath={.spec.clusterIP}'));
  assert.match(clusterIP, /^10\.43\.\d+\.\d+$/);
  await waitFor(async () => (await wgetFrom(a.name, `http://${clusterIP}/`)).trim() === `hello from ${b.name}`,
    `${a.name} on ${serverNode} to reach ${clusterIP} (${b.name} on ${agentNode})`, 30_000, 500);
  const lookup = ok(await server.kubectlAsync(['exec', a.name, '--', 'nslookup', 'web-b.default.svc.cluster.local'], { timeoutMs: 30_000 }));
  assert.match(lookup, new RegExp(`Address:\\s+${clusterIP.replace(/\./g, '\\.')}\\b`), lookup);
  assert.equal((await wgetFrom(a.name, 'http://web-b.default.svc.cluster.local/')).trim(), `hello from ${b.name}`);
  assert.equal(clientIP(await wgetFrom(a.name, 'http://web-b.default.svc.cluster.local/cgi-bin/ip')), a.ip, 'no masquerade across nodes');
});

test('a killed agent\'s node goes NotReady and its pods are replaced on the other node', async () => {
  let t0 = Date.now();
  await agent.kill();
  await waitFor(() => nodes().some((n) => n.metadata.name === agentNode && readyOf(n) === 'Unknown'), `${agentNode} NotReady`, 60_000, 250);
  process.stderr.write(`# node NotReady ${Date.now() - t0} ms after SIGKILL\n`);
  t0 = Date.now();
  await waitFor(() => {
    const live = webPods().filter((p) => !p.terminating);
    return live.length === 4 && live.every((p) => p.node === serverNode && p.ready);
  }, 'four Ready web pods, all on the server\'s node', 120_000, 500);
  process.stderr.write(`# pods replaced on ${serverNode} ${Date.now() - t0} ms after NotReady\n`);
});

test('the restarted agent brings the same Node back Ready, with no duplicate, and removes its old pods', async () => {
  const before = nodes().find((n) => n.metadata.name === agentNode);
  const t0 = Date.now();
  await agent.restart();
  process.stderr.write(`# agent Ready again ${Date.now() - t0} ms after restart\n`);
  const after = nodes();
  assert.deepEqual(after.map((n) => n.metadata.name).sort(), [serverNode, agentNode].sort());
  const n = after.find((x) => x.metadata.name === agentNode);
  assert.equal(n.metadata.uid, before.metadata.uid, 'the same Node object');
  assert.equal(n.spec.podCIDR, before.spec.podCIDR);
  await waitFor(() => webPods().every((p) => p.node === serverNode), 'the old pods on the agent\'s node to go', 60_000, 500);
});

test('stopping everything leaves no namespace, bridge, nft table, route, cgroup or process of the test', async () => {
  const dirs = [server.dataDir, agent.dataDir];
  const cgroupRoots = dirs.map((d) => readAgentLayout(d).cgroupRoot);
  const id = hosts.id;
  const subnetPrefix = hosts.subnet.replace(/0\/24$/, '');
  await cleanUp();
  const left = leftoverTestHosts();
  assert.deepEqual([...left.namespaces, ...left.links].filter((x) => x.startsWith(`tth${id}`)), []);
  assert.deepEqual(nftTables().filter((t) => !nftTablesBefore.includes(t)), [], 'no new nftables tables in the root namespace');
  const routes = spawnSync('ip', ['-4', 'route', 'show', 'table', 'all'], { encoding: 'utf8' }).stdout;
  assert.ok(!routes.includes(subnetPrefix), `no route to or via ${hosts.subnet}:\n${routes}`);
  assert.ok(!/proto 77/.test(routes), `no tugboat pod route in the root namespace:\n${routes}`);
  for (const root of cgroupRoots) {
    for (const h of ['memory', 'cpu', 'pids']) assert.equal(existsSync(`/sys/fs/cgroup/${h}${root}`), false, `cgroup ${h}${root}`);
  }
  const ps = spawnSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' }).stdout.split('\n');
  assert.deepEqual(ps.filter((l) => dirs.some((d) => l.includes(d))), [], 'no process of the test\'s data dirs');
});

function nftTables(): string[] {
  return (spawnSync('nft', ['list', 'tables'], { encoding: 'utf8' }).stdout ?? '').split('\n').filter(Boolean);
}
