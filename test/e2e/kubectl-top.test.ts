/**
 * `kubectl top` end to end: `tug server` with its own containerd runs a pod burning CPU under a
 * 200m limit and an idle one; the real kubectl's `top node` and `top pod` show them through
 * metrics.k8s.io, fed by the node agent's /metrics/resource (CRI stats), with plausible figures.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TEST_IMAGE } from '../../src/kubelet/images/names.js';
import { waitNodeReady } from '../support/node-agent.js';
import { ok, startTugServer, table, type TugServer } from '../support/tug-server.js';
import { waitFor } from '../support/wait-for.js';

const NS = 'e2e-top';
let server: TugServer;

const pods = `
apiVersion: v1
kind: Pod
metadata: {name: busy, namespace: ${NS}, labels: {app: busy}}
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - name: burn
    image: ${TEST_IMAGE}
    imagePullPolicy: Never
    command: [sh, -c, 'while :; do :; done']
    resources: {limits: {cpu: 200m, memory: 32Mi}}
---
apiVersion: v1
kind: Pod
metadata: {name: idle, namespace: ${NS}, labels: {app: idle}}
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - name: sleep
    image: ${TEST_IMAGE}
    imagePullPolicy: Never
    command: [sleep, '3600']
`;

const k = (...args: string[]) => server.kubectl(['-n', NS, ...args], { timeoutMs: 30_000 });
const milli = (cpu: string) => Number(/^(\d+)m$/.exec(cpu)?.[1] ?? NaN);

before(async () => {
  server = await startTugServer({ agent: true });
  await waitNodeReady((a) => server.kubectl(a));
  ok(server.kubectl(['create', 'namespace', NS]));
  ok(server.kubectl(['apply', '-f', '-'], { input: pods }));
  ok(await server.kubectlAsync(['-n', NS, 'wait', 'pod/busy', 'pod/idle', '--for=condition=Ready', '--timeout=40s'], { timeoutMs: 45_000 }));
});
after(async () => {
  await server?.cleanup();
});

test('kubectl top node shows the node\'s CPU and memory with percentages of allocatable', () => {
  const rows = table(ok(server.kubectl(['top', 'node'])));
  assert.deepEqual(rows[0], ['NAME', 'CPU(cores)', 'CPU(%)', 'MEMORY(bytes)', 'MEMORY(%)']);
  assert.equal(rows.length, 2);
  const [name, cpu, cpuPct, memory, memoryPct] = rows[1]!;
  assert.match(name!, /^tug-e2e-/);
  // The busy pod alone keeps about 200m of the node's cores busy.
  assert.ok(milli(cpu!) >= 150, `node cpu ${cpu}`);
  assert.match(cpuPct!, /^\d+%$/);
  assert.ok(Number(/^(\d+)Mi$/.exec(memory!)?.[1]) > 0, `node memory ${memory}`);
  assert.match(memoryPct!, /^\d+%$/);
});

test('kubectl top pod shows the busy pod held near its 200m limit and the idle one near zero, over a full window', async () => {
  // The first answers may measure since the containers started; wait for a window of the regular scrape loop.
  await waitFor(() => {
    const m = JSON.parse(ok(k('get', '--raw', `/apis/metrics.k8s.io/v1beta1/namespaces/${NS}/pods/busy`)));
    return /^([5-9]|\d\d+)(\.\d+)?s$/.test(m.window);
  }, 'a PodMetrics window of 5 s or more', 25_000, 1000);
  const rows = table(ok(k('top', 'pod')));
  assert.deepEqual(rows[0], ['NAME', 'CPU(cores)', 'MEMORY(bytes)']);
  const byName = Object.fromEntries(rows.slice(1).map((r) => [r[0], r.slice(1)]));
  assert.deepEqual(Object.keys(byName).sort(), ['busy', 'idle']);
  const busy = milli(byName.busy![0]!);
  assert.ok(busy >= 100 && busy <= 250, `busy cpu ${byName.busy![0]}`);
  assert.ok(milli(byName.idle![0]!) <= 20, `idle cpu ${byName.idle![0]}`);
  for (const [, memory] of Object.values(byName)) assert.match(memory!, /^\d+Mi$/);

  const containers = table(ok(k('top', 'pod', 'busy', '--containers')));
  assert.deepEqual(containers.slice(1).map((r) => [r[0], r[1]]), [['busy', 'burn']]);
  assert.deepEqual(table(ok(k('top', 'pod', '-l', 'app=idle'))).slice(1).map((r) => r[0]), ['idle']);
  assert.ok(table(ok(server.kubectl(['top', 'pod', '-A']))).some((r) => r[0] === NS && r[1] === 'busy'));
});

test('a pod that does not exist is NotFound as upstream', () => {
  const r = k('top', 'pod', 'ghost');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /Error from server \(NotFound\): podmetrics\.metrics\.k8s\.io "ghost" not found/);
});
