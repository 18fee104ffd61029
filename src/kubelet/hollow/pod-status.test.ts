/** @module Table tests of the statuses hollow nodes report. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Obj } from '../../client/client.js';
import { exitAfterSeconds, reassertedStatus, readyDrifted, runningStatus, succeededStatus } from './pod-status.js';

const pod = (annotations: Record<string, string> = {}, spec: Obj = {}): Obj => ({
  metadata: { name: 'p', namespace: 'ns', uid: 'u1', annotations },
  spec: { containers: [{ name: 'a', image: 'img:1' }, { name: 'b', image: 'img:2' }], ...spec },
  status: { phase: 'Pending', qosClass: 'Burstable' },
});
const T0 = Date.parse('2026-01-02T03:04:05Z');
const cond = (s: Obj, type: string) => s.conditions.find((c: Obj) => c.type === type);

const exitCases: { name: string; pod: Obj; want: number | undefined }[] = [
  { name: 'a job pod with the annotation exits after it', pod: pod({ 'hollow.tugboat.dev/exit-after-seconds': '3' }, { restartPolicy: 'Never' }), want: 3 },
  { name: 'OnFailure pods may exit too', pod: pod({ 'hollow.tugboat.dev/exit-after-seconds': '0' }, { restartPolicy: 'OnFailure' }), want: 0 },
  { name: 'restartPolicy Always pods never exit', pod: pod({ 'hollow.tugboat.dev/exit-after-seconds': '3' }, { restartPolicy: 'Always' }), want: undefined },
  { name: 'a pod without the annotation never exits', pod: pod({}, { restartPolicy: 'Never' }), want: undefined },
  { name: 'a malformed value is ignored', pod: pod({ 'hollow.tugboat.dev/exit-after-seconds': 'soon' }, { restartPolicy: 'Never' }), want: undefined },
];
for (const c of exitCases) test(c.name, () => assert.equal(exitAfterSeconds(c.pod), c.want));

test('a running pod is Running, Ready, with IPs, start time, QoS and running containers', () => {
  const s = runningStatus({ pod: pod(), hostIP: '127.1.0.1', podIP: '10.64.0.2', startedAt: T0 });
  assert.equal(s.phase, 'Running');
  assert.deepEqual(s.podIPs, [{ ip: '10.64.0.2' }]);
  assert.deepEqual(s.hostIPs, [{ ip: '127.1.0.1' }]);
  assert.equal(s.startTime, '2026-01-02T03:04:05Z');
  assert.equal(s.qosClass, 'Burstable');
  for (const t of ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']) assert.equal(cond(s, t).status, 'True', t);
  assert.deepEqual(s.containerStatuses.map((c: Obj) => [c.name, c.image, c.ready, c.started, !!c.state.running]),
    [['a', 'img:1', true, true, true], ['b', 'img:2', true, true, true]]);
  assert.match(s.containerStatuses[0].containerID, /^containerd:\/\/[0-9a-f]{64}$/);
});

test('a never-ready pod runs with Ready and ContainersReady False, as the kubelet words it', () => {
  const s = runningStatus({ pod: pod({ 'hollow.tugboat.dev/never-ready': 'true' }), hostIP: 'h', podIP: 'p', startedAt: T0 });
  assert.equal(s.phase, 'Running');
  assert.deepEqual(cond(s, 'Ready'), { type: 'Ready', status: 'False', lastProbeTime: null, lastTransitionTime: '2026-01-02T03:04:05Z',
    reason: 'ContainersNotReady', message: 'containers with unready status: [a b]' });
  assert.equal(cond(s, 'ContainersReady').status, 'False');
  assert.deepEqual(s.containerStatuses.map((c: Obj) => c.ready), [false, false]);
});

test('init containers are reported completed', () => {
  const s = runningStatus({ pod: pod({}, { initContainers: [{ name: 'init', image: 'i:1' }] }), hostIP: 'h', podIP: 'p', startedAt: T0 });
  assert.equal(s.initContainerStatuses[0].state.terminated.reason, 'Completed');
  assert.equal(s.initContainerStatuses[0].state.terminated.exitCode, 0);
});

test('a succeeded pod keeps its IPs and start time; containers terminated with exit code 0', () => {
  const running = { ...pod(), status: runningStatus({ pod: pod(), hostIP: 'h', podIP: '10.64.0.2', startedAt: T0 }) };
  const s = succeededStatus(running, T0 + 5000);
  assert.equal(s.phase, 'Succeeded');
  assert.equal(s.podIP, '10.64.0.2');
  assert.equal(s.startTime, '2026-01-02T03:04:05Z');
  assert.equal(cond(s, 'Ready').reason, 'PodCompleted');
  assert.equal(cond(s, 'Ready').status, 'False');
  assert.deepEqual(s.containerStatuses[0].state.terminated, { exitCode: 0, reason: 'Completed', startedAt: '2026-01-02T03:04:05Z',
    finishedAt: '2026-01-02T03:04:10Z', containerID: s.containerStatuses[0].containerID });
});

test('a running pod whose Ready someone else set to False has drifted; the status written back is Ready since now, started as before', () => {
  const running = { ...pod(), status: runningStatus({ pod: pod(), hostIP: '127.1.0.1', podIP: '10.64.0.2', startedAt: T0 }) };
  assert.equal(readyDrifted(running), false);
  const marked = structuredClone(running);
  cond(marked.status, 'Ready').status = 'False';
  assert.equal(readyDrifted(marked), true);
  const back = reassertedStatus({ pod: marked, hostIP: '127.1.0.1', podIP: '10.64.0.2' }, T0 + 60_000);
  assert.equal(cond(back, 'Ready').status, 'True');
  assert.equal(cond(back, 'Ready').lastTransitionTime, '2026-01-02T03:05:05Z');
  assert.equal(back.startTime, '2026-01-02T03:04:05Z');
  assert.equal(cond(back, 'Initialized').lastTransitionTime, '2026-01-02T03:04:05Z');
  const never = pod({ 'hollow.tugboat.dev/never-ready': 'true' });
  assert.equal(readyDrifted({ ...never, status: runningStatus({ pod: never, hostIP: 'h', podIP: 'p', startedAt: T0 }) }), false, 'a never-ready pod is meant to be not ready');
});
