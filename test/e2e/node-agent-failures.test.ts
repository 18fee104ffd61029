/**
 * What goes wrong in pods, shown by `tug server`'s node agent on real containerd as Kubernetes shows
 * it: a failing liveness probe restarts the container, a failing readiness probe clears Ready, a
 * crashing container backs off (CrashLoopBackOff, growing delays), a memory hog is OOMKilled, and
 * bad input gets the reasons kubectl users know (ErrImagePull/ImagePullBackOff, CreateContainerConfigError,
 * a command missing from the image, FailedMount). Images come from a local registry with a pull secret.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TEST_IMAGE } from '../../src/kubelet/images/names.js';
import { readAgentLayout } from '../../src/kubelet/layout.js';
import { ok, startTugServer, type TugServer } from '../support/tug-server.js';
import { startTestRegistry, type TestRegistry } from '../support/registry.js';
import { waitNodeReady } from '../support/node-agent.js';
import { waitFor } from '../support/wait-for.js';

const NS = 'e2e-failures';
let server: TugServer;
let registry: TestRegistry;

const k = (...args: string[]) => server.kubectl(['-n', NS, ...args], { timeoutMs: 90_000 });
const apply = (yaml: string) => ok(server.kubectl(['-n', NS, 'apply', '-f', '-'], { input: yaml }));
const pod = (name: string) => JSON.parse(ok(k('get', 'pod', name, '-o', 'json')));
const status = (name: string, i = 0) => pod(name).status?.containerStatuses?.[i];
const events = (name: string) => JSON.parse(ok(k('get', 'events', '--field-selector', `involvedObject.name=${name}`, '-o', 'json'))).items as any[];

const podYaml = (name: string, spec: string) => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  terminationGracePeriodSeconds: 1
${spec.replace(/^\n/, '').replace(/^/gm, '  ')}
`;

before(async () => {
  server = await startTugServer({ agent: true });
  registry = await startTestRegistry();
  await waitNodeReady((a) => server.kubectl(a));
  ok(server.kubectl(['create', 'namespace', NS]));
});
after(async () => {
  await server?.cleanup();
  await registry?.stop();
});

test('a failing liveness probe restarts the container, with Unhealthy and Killing events', async () => {
  apply(podYaml('liveness', `
containers:
- name: c
  image: ${TEST_IMAGE}
  imagePullPolicy: Never
  command: [sh, -c, 'touch /tmp/alive; sleep 2; rm /tmp/alive; sleep 3600']
  livenessProbe: {exec: {command: [test, -f, /tmp/alive]}, periodSeconds: 1, failureThreshold: 1}
`));
  await waitFor(() => (status('liveness')?.restartCount ?? 0) >= 1, 'a restart after the liveness probe failed', 40_000, 250);
  const reasons = events('liveness').map((e) => `${e.reason}: ${e.message}`);
  assert.ok(reasons.some((r) => /^Unhealthy: Liveness probe failed/.test(r)), reasons.join('\n'));
  assert.ok(reasons.some((r) => /^Killing: Container c failed liveness probe, will be restarted/.test(r)), reasons.join('\n'));
});

test('a failing readiness probe clears Ready without a restart', async () => {
  apply(podYaml('readiness', `
containers:
- name: c
  image: ${TEST_IMAGE}
  imagePullPolicy: Never
  command: [sh, -c, 'touch /tmp/ready; sleep 3600']
  readinessProbe: {exec: {command: [test, -f, /tmp/ready]}, periodSeconds: 1}
`));
  ok(await server.kubectlAsync(['-n', NS, 'wait', 'pod/readiness', '--for=condition=Ready', '--timeout=30s'], { timeoutMs: 40_000 }));
  ok(k('exec', 'readiness', '--', 'rm', '/tmp/ready'));
  ok(await server.kubectlAsync(['-n', NS, 'wait', 'pod/readiness', '--for=condition=Ready=false', '--timeout=30s'], { timeoutMs: 40_000 }));
  assert.equal(status('readiness').ready, false);
  assert.equal(status('readiness').restartCount, 0);
  assert.ok(status('readiness').state.running);
});

test('a crashing container shows CrashLoopBackOff with growing delays between restarts', async () => {
  apply(podYaml('crasher', `
containers:
- name: c
  image: ${TEST_IMAGE}
  imagePullPolicy: Never
  command: [sh, -c, 'echo crashing; exit 2']
`));
  const starts: number[] = [];
  await waitFor(() => {
    const s = status('crasher');
    const at = Date.parse(s?.lastState?.terminated?.startedAt ?? '');
    if (at && !starts.includes(at)) starts.push(at);
    return s?.restartCount >= 3 && starts.length >= 3;
  }, 'three restarts', 90_000, 200);
  const s = status('crasher');
  assert.equal(s.lastState.terminated.exitCode, 2);
  assert.equal(s.lastState.terminated.reason, 'Error');
  const waiting = await waitFor(() => status('crasher').state.waiting, 'waiting in back-off', 30_000, 200);
  assert.equal(waiting.reason, 'CrashLoopBackOff');
  assert.match(waiting.message, /^back-off \d+s restarting failed container=c pod=crasher_e2e-failures\(/);
  // Back-off doubles: 10 s, then 20 s (seconds granularity in the API's timestamps).
  const gaps = starts.slice(1).map((t, i) => (t - starts[i]!) / 1000);
  assert.ok(gaps[1]! > gaps[0]! + 5, `restart gaps ${gaps.join(', ')} s should grow`);
  assert.equal(ok(k('logs', 'crasher', '--previous')), 'crashing\n');
  assert.ok(events('crasher').some((e) => e.reason === 'BackOff' && /Back-off restarting failed container c in pod crasher/.test(e.message)));
});

test('a container over its memory limit is OOMKilled', async () => {
  apply(podYaml('hog', `
restartPolicy: Never
containers:
- name: c
  image: ${TEST_IMAGE}
  imagePullPolicy: Never
  command: [sh, -c, 'tail /dev/zero']
  resources: {limits: {memory: 24Mi}}
`));
  const terminated = await waitFor(() => status('hog')?.state?.terminated, 'the hog terminated', 60_000, 250);
  assert.equal(terminated.reason, 'OOMKilled');
  assert.equal(terminated.exitCode, 137);
  assert.equal(pod('hog').status.phase, 'Failed');
});

test('an image from the local registry runs with its pull secret; a wrong secret gives ImagePullBackOff', async () => {
  const layout = readAgentLayout(server.dataDir);
  registry.push(layout.runtimeEndpoint, TEST_IMAGE, 'private/busybox:1');
  const image = `${registry.host}/private/busybox:1`;
  ok(k('create', 'secret', 'docker-registry', 'good', `--docker-server=${registry.host}`, `--docker-username=${registry.username}`, `--docker-password=${registry.password}`));
  ok(k('create', 'secret', 'docker-registry', 'bad', `--docker-server=${registry.host}`, `--docker-username=${registry.username}`, '--docker-password=wrong'));
  const spec = (secret: string) => `
imagePullSecrets: [{name: ${secret}}]
containers:
- name: c
  image: ${image}
  imagePullPolicy: Always
  command: [sleep, '3600']
`;
  apply(podYaml('pulled', spec('good')) + '---' + podYaml('denied', spec('bad')));
  ok(await server.kubectlAsync(['-n', NS, 'wait', 'pod/pulled', '--for=condition=Ready', '--timeout=60s'], { timeoutMs: 70_000 }));
  assert.match(status('pulled').imageID, new RegExp(`^${registry.host}/private/busybox@sha256:[0-9a-f]{64}$`));
  const waiting = await waitFor(() => {
    const w = status('denied')?.state?.waiting;
    return w?.reason === 'ImagePullBackOff' ? w : undefined;
  }, 'ImagePullBackOff', 60_000, 250);
  assert.match(waiting.message, /Back-off pulling image/);
  const reasons = events('denied').map((e) => `${e.reason}: ${e.message}`);
  assert.ok(reasons.some((r) => /^Failed: Failed to pull image/.test(r) && /401 Unauthorized|unauthorized|authorization failed/i.test(r)), reasons.join('\n'));
});

test('bad input shows the reasons Kubernetes shows, and the node keeps serving other pods', async () => {
  apply(podYaml('no-image', `
containers: [{name: c, image: "127.0.0.1:1/missing/image:1", imagePullPolicy: IfNotPresent}]
`) + '---' + podYaml('no-command', `
containers: [{name: c, image: ${TEST_IMAGE}, imagePullPolicy: Never, command: [no-such-binary]}]
`) + '---' + podYaml('no-configmap-env', `
containers:
- name: c
  image: ${TEST_IMAGE}
  imagePullPolicy: Never
  command: [sleep, '3600']
  env: [{name: X, valueFrom: {configMapKeyRef: {name: missing, key: k}}}]
`) + '---' + podYaml('no-configmap-volume', `
containers: [{name: c, image: ${TEST_IMAGE}, imagePullPolicy: Never, command: [sleep, '3600'], volumeMounts: [{name: v, mountPath: /cfg}]}]
volumes: [{name: v, configMap: {name: missing}}]
`) + '---' + podYaml('healthy', `
containers: [{name: c, image: ${TEST_IMAGE}, imagePullPolicy: Never, command: [sleep, '3600']}]
`));
  const waitingReason = (name: string, re: RegExp) => waitFor(() => {
    const s = status(name);
    const r = s?.state?.waiting?.reason ?? s?.lastState?.terminated?.reason;
    return r && re.test(r) ? s : undefined;
  }, `${name} waiting with ${re}`, 60_000, 250);
  const noImage = await waitingReason('no-image', /^(ErrImagePull|ImagePullBackOff)$/);
  assert.ok(noImage.state.waiting.message);
  const noCommand = await waitingReason('no-command', /^(RunContainerError|CreateContainerError|StartError|CrashLoopBackOff)$/);
  assert.match(JSON.stringify(noCommand), /no-such-binary.*(not found|no such file)/i);
  const noEnv = await waitingReason('no-configmap-env', /^CreateContainerConfigError$/);
  assert.equal(noEnv.state.waiting.message, 'configmap "missing" not found');
  await waitFor(() => events('no-configmap-volume').some((e) => e.reason === 'FailedMount' && /configmap "missing" not found/.test(e.message)),
    'a FailedMount event', 60_000, 250);
  assert.equal(pod('no-configmap-volume').status.phase, 'Pending');
  ok(await server.kubectlAsync(['-n', NS, 'wait', 'pod/healthy', '--for=condition=Ready', '--timeout=60s'], { timeoutMs: 70_000 }));
  // Creating the missing configMap lets both waiting pods start.
  ok(k('create', 'configmap', 'missing', '--from-literal=k=v'));
  ok(await server.kubectlAsync(['-n', NS, 'wait', 'pod/no-configmap-env', 'pod/no-configmap-volume', '--for=condition=Ready', '--timeout=90s'], { timeoutMs: 100_000 }));
  assert.equal(ok(k('exec', 'no-configmap-volume', '--', 'cat', '/cfg/k')), 'v');
  assert.equal(ok(k('exec', 'no-configmap-env', '--', 'sh', '-c', 'echo $X')), 'v\n');
});
