/**
 * @module The kubelet's pod lifecycle against an in-process API server and the fake runtime:
 * Running with the status Kubernetes reports, init containers in order, CrashLoopBackOff with
 * growing delays, restartPolicy Never/OnFailure, image pull failures and back-off, config errors,
 * liveness restarts, hooks, deletion, adoption after a restart, and orphan clean-up.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import type { Client, Obj } from '../client/client.js';
import { ref } from '../client/kind-ref.js';
import { startInProcess, type InProcessCluster } from '../../test/support/in-process.js';
import { waitFor } from '../../test/support/wait-for.js';
import { FakeRuntime, type FakeProgram } from './cri/fake.js';
import type { ContainerConfig, Mount } from './cri/types.js';
import { Kubelet, type KubeletParts } from './kubelet.js';
import type { PodProbes, PodVolumes, ProbeTarget } from './pods/deps.js';
import { buildContainerConfig, buildSandboxConfig, qosClass } from './spec/index.js';

process.env.TUG_FREEZE_INFORMERS = '1';

let cluster: InProcessCluster;
let client: Client;
const scratch = mkdtempSync(join(tmpdir(), 'tug-kubelet-test-'));
before(async () => {
  cluster = await startInProcess();
  client = cluster.client('test');
});
after(async () => {
  await cluster?.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** Volumes that only remember calls; a pod annotated `test/fail-mount` fails to mount. */
class StandInVolumes implements PodVolumes {
  readonly tornDown: string[] = [];
  async setUpPod(pod: Obj): Promise<void> {
    if (pod.metadata.annotations?.['test/fail-mount']) {
      throw Object.assign(new Error('x'), { reason: 'FailedMount', failures: [{ volume: 'cfg', message: 'MountVolume.SetUp failed for volume "cfg" : configmap "cfg" not found' }] });
    }
  }
  mountsFor(): Mount[] { return []; }
  async refreshPod(): Promise<void> {}
  async tearDownPod(uid: string): Promise<void> { this.tornDown.push(uid); }
  async podDirs(): Promise<string[]> { return []; }
}

/** Probes decided by the test: per container name, ready or not, and a liveness failure to report once. */
class StandInProbes implements PodProbes {
  readonly notReady = new Set<string>();
  readonly failLiveness = new Set<string>();
  private readonly byId = new Map<string, ProbeTarget>();
  constructor(private readonly onChange: (uid: string) => void) {}
  addContainer(t: ProbeTarget): void { this.byId.set(t.containerId, t); }
  removeContainer(id: string): void { this.byId.delete(id); }
  removePod(uid: string): void { for (const [id, t] of this.byId) if (t.pod.metadata.uid === uid) this.byId.delete(id); }
  isReady(id: string): boolean { const t = this.byId.get(id); return !!t && !this.notReady.has(t.container.name); }
  isStarted(): boolean { return true; }
  livenessFailure(id: string): string | undefined {
    const t = this.byId.get(id);
    return t && this.failLiveness.has(t.container.name) ? `Container ${t.container.name} failed liveness probe, will be restarted` : undefined;
  }
  /** Makes the worker of the pod with this container look again. */
  poke(name: string): void { for (const t of this.byId.values()) if (t.container.name === name) this.onChange(t.pod.metadata.uid); }
  stop(): void {}
}

interface Node {
  runtime: FakeRuntime;
  volumes: StandInVolumes;
  probes: StandInProbes;
  cgroupsRemoved: string[];
  stop(): Promise<void>;
}

const NS = 'default';
const nodeName = 'kubelet-test';
let running: Node | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
  // Each test leaves no pod behind for the next.
  for (const p of (await client.list(ref('Pod', NS))).items) await client.delete(ref('Pod', NS), p.metadata.name, { gracePeriodSeconds: 0 });
});

const programs = new Map<string, FakeProgram>();
function startNode(o: { runtime?: FakeRuntime; backoffInitialMs?: number; realParts?: boolean } = {}): Node {
  const runtime = o.runtime ?? new FakeRuntime({ images: ['busybox:1'], program: (c: ContainerConfig) => programs.get(c.metadata.name) });
  const volumes = new StandInVolumes();
  let probes!: StandInProbes;
  const cgroupsRemoved: string[] = [];
  const spec = { buildSandboxConfig, buildContainerConfig, qosClass, removePodCgroups: async (p: string) => { cgroupsRemoved.push(p); } };
  const parts: Partial<KubeletParts> = o.realParts ? { spec } : {
    spec,
    volumes: () => volumes,
    probes: (x) => (probes = new StandInProbes(x.onChange)),
  };
  const ctl = new AbortController();
  const log = { info: () => {}, debug: () => {}, warn: () => {}, error: (m: string) => assert.fail(m) };
  const kubelet = new Kubelet({ client: cluster.client('kubelet'), nodeName, nodeIP: '127.0.0.1', runtime, images: runtime,
    rootDir: join(scratch, 'kubelet'), logRoot: join(scratch, 'logs'), cgroupRoot: '/tugboat-test', kubeletPort: 10250, log, parts,
    tunables: { heartbeatMs: 200, plegPeriodMs: 100, housekeepingMs: 200, retryMs: 200, backoffInitialMs: o.backoffInitialMs ?? 10_000 } });
  const done = kubelet.run(ctl.signal);
  const node: Node = {
    runtime, volumes, get probes() { return probes; }, cgroupsRemoved,
    async stop() { ctl.abort(); await done; },
  };
  running = node;
  return node;
}

const pods = ref('Pod', NS);
const createPod = (name: string, spec: Obj, meta: Obj = {}) =>
  client.create(pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name, ...meta }, spec: { nodeName, ...spec } });
const c = (name: string, extra: Obj = {}): Obj => ({ name, image: 'busybox:1', imagePullPolicy: 'IfNotPresent', ...extra });
const get = (name: string) => client.get(pods, name);
const until = (name: string, what: string, ok: (p: Obj) => boolean, timeoutMs = 10_000) =>
  waitFor(async () => { const p = await get(name); return ok(p) ? p : undefined; }, `${name}: ${what}`, timeoutMs);
const cond = (p: Obj, type: string) => p.status.conditions.find((x: Obj) => x.type === type);
const cs = (p: Obj, name: string) => [...(p.status.containerStatuses ?? []), ...(p.status.initContainerStatuses ?? [])].find((x: Obj) => x.name === name);
const events = async (name: string) => (await client.list(ref('Event', NS))).items
  .filter((e) => e.involvedObject.name === name).map((e) => `${e.reason}: ${e.message}`);

test('the node registers and a pod becomes Running with the status Kubernetes reports', async () => {
  const n = startNode();
  await createPod('web', { containers: [c('b'), c('a')] });
  const p = await until('web', 'Running and Ready', (x) => x.status?.phase === 'Running' && cond(x, 'Ready')?.status === 'True');
  const node = await client.get(ref('Node'), nodeName);
  assert.equal(node.status.nodeInfo.containerRuntimeVersion, 'fake://0.1.0');
  assert.match(p.status.podIP, /^10\.88\.0\.\d+$/);
  assert.deepEqual(p.status.podIPs, [{ ip: p.status.podIP }]);
  assert.equal(p.status.hostIP, '127.0.0.1');
  assert.equal(p.status.qosClass, 'BestEffort');
  assert.ok(p.status.startTime);
  assert.deepEqual(p.status.conditions.map((x: Obj) => [x.type, x.status]), [
    ['PodReadyToStartContainers', 'True'], ['Initialized', 'True'], ['Ready', 'True'], ['ContainersReady', 'True'], ['PodScheduled', 'True']]);
  assert.deepEqual(p.status.containerStatuses.map((x: Obj) => x.name), ['a', 'b']);
  const a = cs(p, 'a');
  assert.equal(a.ready, true);
  assert.equal(a.started, true);
  assert.equal(a.restartCount, 0);
  assert.match(a.containerID, /^containerd:\/\/.+/);
  assert.match(a.imageID, /^sha256:/);
  assert.ok(a.state.running.startedAt);
  assert.deepEqual(a.lastState, {});
  const sandboxes = await n.runtime.listPodSandbox();
  assert.equal(sandboxes.length, 1);
  const ev = await waitFor(async () => { const e = await events('web'); return e.length >= 5 ? e : undefined; }, 'events');
  assert.ok(ev.includes('Pulled: Container image "busybox:1" already present on machine'), ev.join('\n'));
  assert.ok(ev.includes('Created: Created container a'));
  assert.ok(ev.includes('Started: Started container b'));
});

test('readiness comes from the probes: a not-ready container clears Ready', async () => {
  const n = startNode();
  await createPod('ready', { containers: [c('app')] });
  await until('ready', 'Ready', (x) => cond(x, 'Ready')?.status === 'True');
  n.probes.notReady.add('app');
  n.probes.poke('app');
  const p = await until('ready', 'not Ready', (x) => cond(x, 'Ready')?.status === 'False');
  assert.equal(cond(p, 'Ready').reason, 'ContainersNotReady');
  assert.equal(cond(p, 'Ready').message, 'containers with unready status: [app]');
  assert.equal(p.status.phase, 'Running');
});

test('a status someone else overwrote (node lifecycle marking the pod not ready) is written again', async () => {
  startNode();
  await createPod('restore', { containers: [c('app')] });
  const p = await until('restore', 'Ready', (x) => cond(x, 'Ready')?.status === 'True');
  const conditions = p.status.conditions.map((x: Obj) => (x.type === 'Ready' ? { ...x, status: 'False', reason: 'NodeNotReady' } : x));
  await client.updateStatus(pods, { ...p, status: { ...p.status, conditions } });
  await until('restore', 'Ready again', (x) => cond(x, 'Ready')?.status === 'True' && !cond(x, 'Ready').reason);
});

test('init containers run one at a time, in order, before the containers', async () => {
  programs.set('init1', { exit: { code: 0, afterMs: 1500 } });
  programs.set('init2', { exit: { code: 0, afterMs: 100 } });
  const n = startNode();
  await createPod('inits', { initContainers: [c('init1'), c('init2')], containers: [c('main')] });
  const pending = await until('inits', 'Init:0/2', (x) => cs(x, 'init1')?.state?.running !== undefined);
  assert.equal(pending.status.phase, 'Pending');
  assert.equal(cond(pending, 'Initialized').message, 'containers with incomplete status: [init1 init2]');
  assert.equal(cs(pending, 'main').state.waiting.reason, 'PodInitializing');
  const p = await until('inits', 'Running', (x) => x.status?.phase === 'Running');
  assert.deepEqual(p.status.initContainerStatuses.map((x: Obj) => [x.name, x.state.terminated?.reason, x.ready]),
    [['init1', 'Completed', true], ['init2', 'Completed', true]]);
  const ctrs = await Promise.all((await n.runtime.listContainers()).map((x) => n.runtime.containerStatus(x.id)));
  const at = (name: string, k: 'startedAt' | 'finishedAt') => BigInt(ctrs.find((x) => x.metadata.name === name)![k]);
  assert.ok(at('init1', 'finishedAt') <= at('init2', 'startedAt'));
  assert.ok(at('init2', 'finishedAt') <= at('main', 'startedAt'));
});

test('a failing init container with restartPolicy Never fails the pod', async () => {
  programs.set('bad-init', { exit: { code: 2 } });
  startNode();
  await createPod('init-fail', { restartPolicy: 'Never', initContainers: [c('bad-init')], containers: [c('never-runs')] });
  const p = await until('init-fail', 'Failed', (x) => x.status?.phase === 'Failed');
  assert.equal(cs(p, 'bad-init').state.terminated.exitCode, 2);
  assert.equal(cs(p, 'never-runs').state.waiting.reason, 'PodInitializing');
});

test('a crashing container restarts with growing back-off and shows CrashLoopBackOff', async () => {
  programs.set('crash', { exit: { code: 1 } });
  const n = startNode({ backoffInitialMs: 300 });
  await createPod('crashy', { containers: [c('crash')] });
  const p = await until('crashy', 'CrashLoopBackOff', (x) => cs(x, 'crash')?.state?.waiting?.reason === 'CrashLoopBackOff' && cs(x, 'crash').restartCount >= 3);
  const s = cs(p, 'crash');
  assert.match(s.state.waiting.message, new RegExp(`^back-off [\\d.]+m?s restarting failed container=crash pod=crashy_default\\(${p.metadata.uid}\\)$`));
  assert.equal(s.lastState.terminated.exitCode, 1);
  assert.equal(s.lastState.terminated.reason, 'Error');
  assert.equal(p.status.phase, 'Running');
  // Only the newest dead container is kept (for logs --previous).
  assert.equal((await n.runtime.listContainers()).length, 1);
  const ev = await events('crashy');
  assert.ok(ev.some((e) => e === `BackOff: Back-off restarting failed container crash in pod crashy_default(${p.metadata.uid})`), ev.join('\n'));
});

test('back-off delays double: 300 ms, then 600 ms, then 1.2 s', async () => {
  programs.set('crash2', { exit: { code: 1 } });
  const n = startNode({ backoffInitialMs: 300 });
  await createPod('crashy2', { containers: [c('crash2')] });
  const starts: number[] = [];
  const seen = new Set<string>();
  await waitFor(async () => {
    for (const x of await n.runtime.listContainers()) {
      if (seen.has(x.id)) continue;
      seen.add(x.id);
      starts.push(Number(BigInt((await n.runtime.containerStatus(x.id)).startedAt) / 1_000_000n));
    }
    return starts.length >= 5;
  }, 'five starts', 15_000, 10);
  const gaps = starts.slice(1).map((t, i) => t - starts[i]);
  // The first restart is immediate, as the kubelet's; then 300, 600, 1200 ms (plus a relist at most).
  assert.ok(gaps[0] < 300, `gaps ${gaps}`);
  for (const [i, min] of [[1, 300], [2, 600], [3, 1200]]) assert.ok(gaps[i] >= min && gaps[i] < min + 700, `gaps ${gaps}`);
});

test('restartPolicy Never: the pod fails with the exit code; its sandbox stops, its container stays', async () => {
  programs.set('fails', { exit: { code: 3, afterMs: 50 } });
  const n = startNode();
  await createPod('never', { restartPolicy: 'Never', containers: [c('fails')] });
  const p = await until('never', 'Failed', (x) => x.status?.phase === 'Failed');
  assert.equal(cs(p, 'fails').state.terminated.exitCode, 3);
  assert.equal(cs(p, 'fails').restartCount, 0);
  assert.equal(cond(p, 'Ready').reason, 'PodFailed');
  assert.ok(p.status.podIP, 'the pod IP stays reported');
  await waitFor(async () => (await n.runtime.listPodSandbox()).every((s) => s.state === 'SANDBOX_NOTREADY'), 'sandbox stopped');
  assert.equal((await n.runtime.listContainers()).length, 1);
});

test('restartPolicy OnFailure: exit 0 completes the pod (Succeeded, Completed)', async () => {
  programs.set('job', { exit: { code: 0, afterMs: 50 } });
  startNode();
  await createPod('job', { restartPolicy: 'OnFailure', containers: [c('job')] });
  const p = await until('job', 'Succeeded', (x) => x.status?.phase === 'Succeeded');
  assert.equal(cs(p, 'job').state.terminated.reason, 'Completed');
  assert.equal(cond(p, 'Ready').reason, 'PodCompleted');
  assert.equal(cond(p, 'Initialized').reason, 'PodCompleted');
});

test('an image that is not there: ErrImageNeverPull, or ErrImagePull then ImagePullBackOff', async () => {
  const n = startNode();
  n.runtime.failPull('nothere:1');
  await createPod('never-pull', { containers: [c('x', { image: 'nothere:1', imagePullPolicy: 'Never' })] });
  await createPod('pull-fails', { containers: [c('x', { image: 'nothere:1' })] });
  const a = await until('never-pull', 'ErrImageNeverPull', (x) => cs(x, 'x')?.state?.waiting?.reason === 'ErrImageNeverPull');
  assert.equal(cs(a, 'x').state.waiting.message, 'Container image "nothere:1" is not present with pull policy of Never');
  const b = await until('pull-fails', 'ErrImagePull', (x) => cs(x, 'x')?.state?.waiting?.reason === 'ErrImagePull');
  assert.match(cs(b, 'x').state.waiting.message, /^rpc error: code = Unknown desc = failed to pull and unpack image/);
  assert.equal(b.status.phase, 'Pending');
  n.probes.poke('x');
  await createPod('poke', { containers: [c('x')] }); // any event: the failed pod syncs again within its back-off
  const ev = await waitFor(async () => { const e = await events('pull-fails'); return e.some((x) => x.startsWith('Failed: Error: ErrImagePull')) ? e : undefined; }, 'events');
  assert.ok(ev.includes('Pulling: Pulling image "nothere:1"'), ev.join('\n'));
});

test('ErrImagePull turns into ImagePullBackOff on the next sync within the back-off', async () => {
  const n = startNode();
  n.runtime.failPull('nothere:2');
  await createPod('backoff', { containers: [c('x', { image: 'nothere:2' })] });
  await until('backoff', 'ErrImagePull', (x) => cs(x, 'x')?.state?.waiting?.reason === 'ErrImagePull');
  await client.patch(pods, 'backoff', 'merge', { metadata: { labels: { poke: '1' } } });
  const p = await until('backoff', 'ImagePullBackOff', (x) => cs(x, 'x')?.state?.waiting?.reason === 'ImagePullBackOff');
  assert.equal(cs(p, 'x').state.waiting.message, 'Back-off pulling image "nothere:2"');
});

test('a missing ConfigMap in env is CreateContainerConfigError until it exists', async () => {
  startNode();
  await createPod('cfg', { containers: [c('app', { env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k' } } }] })] });
  const p = await until('cfg', 'CreateContainerConfigError', (x) => cs(x, 'app')?.state?.waiting?.reason === 'CreateContainerConfigError');
  assert.equal(cs(p, 'app').state.waiting.message, 'configmap "cfg" not found');
  await client.create(ref('ConfigMap', NS), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { k: 'v' } });
  await until('cfg', 'Running', (x) => x.status?.phase === 'Running');
  await client.delete(ref('ConfigMap', NS), 'cfg');
});

test('a failed mount is a FailedMount event; the pod stays ContainerCreating', async () => {
  startNode();
  await createPod('mount', { containers: [c('app')] }, { annotations: { 'test/fail-mount': 'yes' } });
  const ev = await waitFor(async () => { const e = await events('mount'); return e.length ? e : undefined; }, 'FailedMount');
  assert.equal(ev[0], 'FailedMount: MountVolume.SetUp failed for volume "cfg" : configmap "cfg" not found');
  const p = await until('mount', 'status', (x) => !!x.status?.containerStatuses);
  assert.equal(cs(p, 'app').state.waiting.reason, 'ContainerCreating');
  assert.equal(cond(p, 'PodReadyToStartContainers').status, 'False');
});

test('CreateContainerError and RunContainerError carry the runtime\'s message', async () => {
  programs.set('nocmd', { startError: 'exec: "foo": executable file not found in $PATH' });
  const n = startNode({ backoffInitialMs: 60_000 });
  n.runtime.failCreateContainer('nocreate', 'failed to create containerd container: boom');
  await createPod('errs', { containers: [c('nocreate'), c('nocmd')] });
  const p = await until('errs', 'both errors', (x) => cs(x, 'nocreate')?.state?.waiting?.reason === 'CreateContainerError'
    && ['RunContainerError', 'CrashLoopBackOff'].includes(cs(x, 'nocmd')?.state?.waiting?.reason));
  assert.equal(cs(p, 'nocreate').state.waiting.message, 'failed to create containerd container: boom');
  assert.equal(cs(p, 'nocmd').lastState.terminated.reason, 'StartError');
  assert.equal(cs(p, 'nocmd').lastState.terminated.exitCode, 128);
});

test('a liveness failure kills and restarts the container', async () => {
  const n = startNode();
  await createPod('live', { containers: [c('app')] });
  await until('live', 'Running', (x) => x.status?.phase === 'Running');
  n.probes.failLiveness.add('app');
  n.probes.poke('app');
  await waitFor(async () => (await events('live')).includes('Killing: Container app failed liveness probe, will be restarted'), 'Killing event');
  n.probes.failLiveness.delete('app');
  const p = await until('live', 'restarted', (x) => cs(x, 'app')?.restartCount >= 1 && !!cs(x, 'app').state.running);
  assert.equal(cs(p, 'app').lastState.terminated.exitCode, 137);
});

test('hooks: postStart runs after start, preStop before stop; a failing postStart kills the container', async () => {
  const n = startNode({ backoffInitialMs: 60_000 });
  const execs: string[] = [];
  n.runtime.onExec((_id, cmd) => { execs.push(cmd.join(' ')); return { exitCode: cmd.includes('fail') ? 1 : 0, stderr: 'nope' }; });
  await createPod('hooks', { terminationGracePeriodSeconds: 5, containers: [
    c('ok', { lifecycle: { postStart: { exec: { command: ['post'] } }, preStop: { exec: { command: ['pre'] } } } }),
    c('bad', { lifecycle: { postStart: { exec: { command: ['fail'] } } } }),
  ] });
  const p = await until('hooks', 'PostStartHookError', (x) => ['PostStartHookError', 'CrashLoopBackOff'].includes(cs(x, 'bad')?.state?.waiting?.reason));
  assert.ok(cs(p, 'ok').state.running);
  const ev = await waitFor(async () => { const e = await events('hooks'); return e.some((x) => x.startsWith('FailedPostStartHook')) ? e : undefined; }, 'event');
  assert.ok(ev.some((e) => e.startsWith(`FailedPostStartHook: Exec lifecycle hook ([fail]) for Container "bad" in Pod "hooks_default(${p.metadata.uid})" failed - error: command 'fail' exited with 1: nope`)), ev.join('\n'));
  await client.delete(pods, 'hooks');
  await waitFor(async () => { try { await get('hooks'); return false; } catch { return true; } }, 'pod gone');
  assert.deepEqual(execs.filter((e) => e !== 'fail'), ['post', 'pre']);
});

test('deleting a pod stops and removes its sandbox and containers, then confirms the deletion', async () => {
  const n = startNode();
  const created = await createPod('gone', { containers: [c('app')] });
  const running = await until('gone', 'Running', (x) => x.status?.phase === 'Running');
  const seen: Obj[] = [];
  const ctl = new AbortController();
  const watching = (async () => {
    for await (const ev of client.watch(pods, { resourceVersion: running.metadata.resourceVersion, fieldSelector: 'metadata.name=gone' }, ctl.signal)) {
      seen.push(ev.object);
      if (ev.type === 'DELETED') return;
    }
  })();
  await client.delete(pods, 'gone', { gracePeriodSeconds: 30 });
  await waitFor(async () => { try { await get('gone'); return false; } catch { return true; } }, 'pod gone');
  await watching;
  ctl.abort();
  // The kubelet reports the terminal status before it confirms the deletion.
  const final = seen.find((x) => x.status?.phase === 'Failed');
  assert.ok(final, seen.map((x) => x.status?.phase).join());
  assert.equal(cs(final, 'app').state.terminated.exitCode, 137);
  assert.deepEqual(await n.runtime.listPodSandbox(), []);
  assert.deepEqual(await n.runtime.listContainers(), []);
  assert.ok(n.volumes.tornDown.includes(created.metadata.uid));
  assert.ok(n.cgroupsRemoved.includes(`/tugboat-test/besteffort/pod${created.metadata.uid}`));
  assert.ok((await events('gone')).includes('Killing: Stopping container app'));
});

test('a restarted kubelet adopts running containers: no restart, no duplicate', async () => {
  const first = startNode();
  await createPod('adopt', { containers: [c('app')] });
  const p = await until('adopt', 'Running', (x) => x.status?.phase === 'Running');
  await first.stop();
  const creates = first.runtime.count('CreateContainer');
  const sandboxes = first.runtime.count('RunPodSandbox');
  const second = startNode({ runtime: first.runtime });
  await createPod('after', { containers: [c('app')] });
  await until('after', 'Running', (x) => x.status?.phase === 'Running');
  assert.equal(second.runtime.count('CreateContainer'), creates + 1);
  assert.equal(second.runtime.count('RunPodSandbox'), sandboxes + 1);
  const again = await get('adopt');
  assert.equal(cs(again, 'app').containerID, cs(p, 'app').containerID);
  assert.equal(cs(again, 'app').restartCount, 0);
  assert.equal(again.status.podIP, p.status.podIP);
});

test('sandboxes and containers of pods the API does not have are removed', async () => {
  const runtime = new FakeRuntime({ images: ['busybox:1'] });
  const orphan = { metadata: { name: 'ghost', namespace: NS, uid: 'ghost-uid', attempt: 0 }, logDirectory: join(scratch, 'logs', 'ghost'),
    labels: { 'io.kubernetes.pod.name': 'ghost', 'io.kubernetes.pod.namespace': NS, 'io.kubernetes.pod.uid': 'ghost-uid' } };
  const sb = await runtime.runPodSandbox(orphan);
  const id = await runtime.createContainer(sb, { metadata: { name: 'c' }, image: { image: 'busybox:1' }, logPath: 'c/0.log',
    labels: { ...orphan.labels, 'io.kubernetes.container.name': 'c' } }, orphan);
  await runtime.startContainer(id);
  const n = startNode({ runtime });
  await waitFor(async () => (await runtime.listPodSandbox()).length === 0 && (await runtime.listContainers()).length === 0, 'orphans removed');
  assert.ok(n.volumes.tornDown.includes('ghost-uid'));
});

test('with the real volume and probe managers: a configMap volume is set up and an exec readiness probe decides Ready', async () => {
  await client.create(ref('ConfigMap', NS), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'site' }, data: { 'index.html': 'hi' } });
  const n = startNode({ realParts: true });
  let ready = false;
  n.runtime.onExec(() => ({ exitCode: ready ? 0 : 1 }));
  const created = await createPod('real', {
    volumes: [{ name: 'site', configMap: { name: 'site' } }],
    containers: [c('app', { volumeMounts: [{ name: 'site', mountPath: '/www' }],
      readinessProbe: { exec: { command: ['true'] }, periodSeconds: 1, failureThreshold: 1 } })],
  });
  const p = await until('real', 'Running, not Ready', (x) => x.status?.phase === 'Running');
  assert.equal(cond(p, 'Ready').status, 'False');
  ready = true;
  await until('real', 'Ready', (x) => cond(x, 'Ready')?.status === 'True', 5000);
  const dir = join(scratch, 'kubelet', 'pods', created.metadata.uid);
  const file = join(dir, 'volumes', 'kubernetes.io~configmap', 'site', 'index.html');
  assert.equal(readFileSync(file, 'utf8'), 'hi');
  await client.patch(ref('ConfigMap', NS), 'site', 'merge', { data: { 'index.html': 'updated' } });
  await waitFor(() => readFileSync(file, 'utf8') === 'updated', 'the mounted configMap refreshed', 5000);
  await client.delete(pods, 'real');
  await waitFor(async () => { try { await get('real'); return false; } catch { return true; } }, 'pod gone');
  assert.ok(!existsSync(dir), 'the pod directory is removed');
  await client.delete(ref('ConfigMap', NS), 'site');
});

test('a changed container image restarts the container; activeDeadlineSeconds fails the pod', async () => {
  const n = startNode();
  await n.runtime.pullImage({ image: 'busybox:2' });
  await createPod('change', { containers: [c('app')] });
  const p = await until('change', 'Running', (x) => x.status?.phase === 'Running');
  await client.patch(pods, 'change', 'json', [{ op: 'replace', path: '/spec/containers/0/image', value: 'busybox:2' }]);
  const q = await until('change', 'restarted', (x) => cs(x, 'app')?.restartCount === 1 && !!cs(x, 'app').state.running);
  assert.notEqual(cs(q, 'app').containerID, cs(p, 'app').containerID);
  assert.ok((await events('change')).includes('Killing: Container app definition changed, will be restarted'));

  await createPod('deadline', { activeDeadlineSeconds: 1, containers: [c('app')] });
  const d = await until('deadline', 'Failed', (x) => x.status?.phase === 'Failed', 5000);
  assert.equal(d.status.reason, 'DeadlineExceeded');
  assert.equal(d.status.message, 'Pod was active on the node longer than the specified deadline');
  assert.ok(cs(d, 'app').state.terminated);
});

test('sidecars (init containers with restartPolicy Always) run beside the containers and stop when a Job-like pod completes', async () => {
  programs.set('setup', { exit: { code: 0, afterMs: 50 } });
  programs.set('work', { exit: { code: 0, afterMs: 800 } });
  const n = startNode();
  await createPod('sidecar', { restartPolicy: 'Never', initContainers: [c('proxy', { restartPolicy: 'Always' }), c('setup')], containers: [c('work')] });
  const running = await until('sidecar', 'Running', (x) => x.status?.phase === 'Running' && !!cs(x, 'work')?.state?.running);
  assert.ok(cs(running, 'proxy').state.running);
  assert.equal(cs(running, 'proxy').ready, true);
  assert.equal(cs(running, 'setup').state.terminated.reason, 'Completed');
  assert.equal(cond(running, 'Initialized').status, 'True');
  const done = await until('sidecar', 'Succeeded', (x) => x.status?.phase === 'Succeeded');
  assert.ok(cs(done, 'proxy').state.terminated, 'the sidecar was stopped');
  const ctrs = await Promise.all((await n.runtime.listContainers()).map((x) => n.runtime.containerStatus(x.id)));
  const at = (name: string, k: 'startedAt' | 'finishedAt') => BigInt(ctrs.find((x) => x.metadata.name === name)![k]);
  assert.ok(at('proxy', 'startedAt') <= at('setup', 'startedAt'), 'the sidecar starts first');
  assert.ok(at('work', 'finishedAt') <= at('proxy', 'finishedAt'), 'and stops last');
});
