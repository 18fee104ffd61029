/** @module Table tests of the pod status computed from runtime state: phase (getPhase), conditions, container states, merging. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Obj } from '../../client/client.js';
import type { ContainerState } from '../cri/types.js';
import { generatePodStatus, mergeStatus, podPhase, type WaitingReason } from './pod-status.js';
import type { RuntimeContainer, RuntimePod } from './runtime-pod.js';

const ns = (ms: number) => String(BigInt(ms) * 1_000_000n);
const T0 = Date.parse('2026-01-02T03:04:05Z');
let seq = 0;
function ctr(name: string, state: ContainerState, o: { exitCode?: number; reason?: string; restartCount?: number } = {}): RuntimeContainer {
  const id = `id-${name}-${++seq}`;
  return {
    id, name, sandboxId: 'sb', state, createdAt: ns(T0 + seq), restartCount: o.restartCount ?? 0,
    status: { id, metadata: { name }, state, createdAt: ns(T0), startedAt: state === 'CONTAINER_CREATED' ? '0' : ns(T0 + 1000),
      finishedAt: state === 'CONTAINER_EXITED' ? ns(T0 + 2000) : '0', exitCode: o.exitCode ?? 0, image: { image: 'docker.io/library/busybox:1' },
      imageRef: 'sha256:abc', reason: o.reason ?? (state === 'CONTAINER_EXITED' ? (o.exitCode ? 'Error' : 'Completed') : ''), message: '',
      labels: {}, annotations: {}, mounts: [], logPath: '' },
  };
}
const pod = (spec: Obj): Obj => ({ metadata: { name: 'p', namespace: 'ns', uid: 'u' }, spec: { containers: [{ name: 'a', image: 'busybox:1' }], ...spec } });
const rp = (...containers: RuntimeContainer[]): RuntimePod => ({
  uid: 'u', containers, sandboxes: [{ id: 'sb', metadata: { name: 'p', namespace: 'ns', uid: 'u' }, state: 'SANDBOX_READY', createdAt: ns(T0), labels: {}, annotations: {} }],
});
const status = (p: Obj, r: RuntimePod, reasons: Record<string, WaitingReason> = {}) => generatePodStatus({
  pod: p, runtime: r, hostIP: '10.0.0.1', podIPs: ['10.88.0.5'], reasons: new Map(Object.entries(reasons)),
  isReady: () => true, isStarted: () => true, qosClass: 'BestEffort',
});

const phaseCases: { name: string; spec: Obj; containers: RuntimeContainer[]; reasons?: Record<string, WaitingReason>; want: string }[] = [
  { name: 'no container yet: Pending', spec: {}, containers: [], want: 'Pending' },
  { name: 'running: Running', spec: {}, containers: [ctr('a', 'CONTAINER_RUNNING')], want: 'Running' },
  { name: 'exited 0 with Always: Running (about to restart)', spec: {}, containers: [ctr('a', 'CONTAINER_EXITED')], want: 'Running' },
  { name: 'exited 0 with Never: Succeeded', spec: { restartPolicy: 'Never' }, containers: [ctr('a', 'CONTAINER_EXITED')], want: 'Succeeded' },
  { name: 'exited 1 with Never: Failed', spec: { restartPolicy: 'Never' }, containers: [ctr('a', 'CONTAINER_EXITED', { exitCode: 1 })], want: 'Failed' },
  { name: 'exited 1 with OnFailure: Running (restarting)', spec: { restartPolicy: 'OnFailure' }, containers: [ctr('a', 'CONTAINER_EXITED', { exitCode: 1 })], want: 'Running' },
  { name: 'exited 0 with OnFailure: Succeeded', spec: { restartPolicy: 'OnFailure' }, containers: [ctr('a', 'CONTAINER_EXITED')], want: 'Succeeded' },
  { name: 'crash-looping (waiting with a last state): Running', spec: {}, containers: [ctr('a', 'CONTAINER_EXITED', { exitCode: 1 })],
    reasons: { a: { reason: 'CrashLoopBackOff', message: 'm' } }, want: 'Running' },
  { name: 'image pull failing, never ran: Pending', spec: {}, containers: [], reasons: { a: { reason: 'ErrImagePull', message: 'm' } }, want: 'Pending' },
  { name: 'init container running: Pending', spec: { initContainers: [{ name: 'i' }] }, containers: [ctr('i', 'CONTAINER_RUNNING')], want: 'Pending' },
  { name: 'init container failed with Never: Failed', spec: { restartPolicy: 'Never', initContainers: [{ name: 'i' }] },
    containers: [ctr('i', 'CONTAINER_EXITED', { exitCode: 1 })], want: 'Failed' },
  { name: 'one of two exited with Never, one running: Running', spec: { restartPolicy: 'Never', containers: [{ name: 'a' }, { name: 'b' }] },
    containers: [ctr('a', 'CONTAINER_EXITED'), ctr('b', 'CONTAINER_RUNNING')], want: 'Running' },
];
for (const c of phaseCases) test(c.name, () => assert.equal(status(pod(c.spec), rp(...c.containers), c.reasons).phase, c.want));

test('a crash-looping container: waiting CrashLoopBackOff, last state terminated, restart count from the runtime', () => {
  const s = status(pod({}), rp(ctr('a', 'CONTAINER_EXITED', { exitCode: 2, restartCount: 3 })), { a: { reason: 'CrashLoopBackOff', message: 'back-off 40s …' } });
  const a = s.containerStatuses[0];
  assert.deepEqual(a.state, { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s …' } });
  assert.equal(a.lastState.terminated.exitCode, 2);
  assert.equal(a.lastState.terminated.reason, 'Error');
  assert.equal(a.lastState.terminated.finishedAt, '2026-01-02T03:04:07Z');
  assert.equal(a.restartCount, 3);
  assert.equal(a.ready, false);
  assert.equal(s.conditions.find((x: Obj) => x.type === 'ContainersReady').message, 'containers with unready status: [a]');
});

test('a running container after a restart shows the previous one as last state', () => {
  const s = status(pod({}), rp(ctr('a', 'CONTAINER_RUNNING', { restartCount: 1 }), ctr('a', 'CONTAINER_EXITED', { exitCode: 137 })));
  const a = s.containerStatuses[0];
  assert.equal(a.state.running.startedAt, '2026-01-02T03:04:06Z');
  assert.equal(a.lastState.terminated.exitCode, 137);
  assert.equal(a.ready, true);
  assert.equal(a.imageID, 'sha256:abc');
  assert.equal(a.image, 'docker.io/library/busybox:1');
});

test('phase from statuses, as getPhase: an unknown container keeps the pod Pending', () => {
  assert.equal(podPhase(pod({}), [], []), 'Pending');
});

test('merging keeps transition times of unchanged conditions, the scheduler\'s PodScheduled, startTime and the pod IP', () => {
  const first = mergeStatus({ conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z', lastProbeTime: null }] },
    status(pod({}), rp(ctr('a', 'CONTAINER_RUNNING'))), T0);
  assert.equal(first.startTime, '2026-01-02T03:04:05Z');
  assert.deepEqual(first.conditions.map((c: Obj) => [c.type, c.lastTransitionTime]), [
    ['PodReadyToStartContainers', '2026-01-02T03:04:05Z'], ['Initialized', '2026-01-02T03:04:05Z'], ['Ready', '2026-01-02T03:04:05Z'],
    ['ContainersReady', '2026-01-02T03:04:05Z'], ['PodScheduled', '2026-01-01T00:00:00Z']]);
  const stopped = rp(ctr('a', 'CONTAINER_EXITED', { exitCode: 1 }));
  const later = mergeStatus(first, generatePodStatus({ pod: pod({ restartPolicy: 'Never' }), runtime: stopped, hostIP: 'h', podIPs: [],
    reasons: new Map(), isReady: () => true, isStarted: () => true, qosClass: 'BestEffort' }), T0 + 60_000);
  assert.equal(later.phase, 'Failed');
  assert.equal(later.startTime, '2026-01-02T03:04:05Z');
  assert.equal(later.podIP, '10.88.0.5');
  assert.equal(later.conditions.find((c: Obj) => c.type === 'Initialized').lastTransitionTime, '2026-01-02T03:04:05Z');
  assert.equal(later.conditions.find((c: Obj) => c.type === 'Ready').lastTransitionTime, '2026-01-02T03:05:05Z');
});
