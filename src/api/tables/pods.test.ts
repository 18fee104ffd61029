/** @module Tests for the pod row: STATUS, READY and RESTARTS for the pods people usually see. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerStatus, Pod } from 'kubernetes-types/core/v1.js';
import { podStatus, podTable } from './pods.js';

const now = new Date('2024-05-01T12:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();

function pod(phase: string, statuses: Partial<ContainerStatus>[], extra: { init?: Partial<ContainerStatus>[]; initSpec?: number; deleting?: boolean; ready?: boolean } = {}): Pod {
  return {
    metadata: { name: 'p', creationTimestamp: ago(60_000), ...(extra.deleting ? { deletionTimestamp: ago(0) } : {}) },
    spec: {
      containers: statuses.map((_, i) => ({ name: `c${i}` })),
      initContainers: Array.from({ length: extra.initSpec ?? 0 }, (_, i) => ({ name: `i${i}` })),
    },
    status: {
      phase,
      conditions: extra.ready ? [{ type: 'Ready', status: 'True' }] : [],
      containerStatuses: statuses.map((s, i) => ({ name: `c${i}`, image: 'x', imageID: '', ready: false, restartCount: 0, ...s })),
      initContainerStatuses: (extra.init ?? []).map((s, i) => ({ name: `i${i}`, image: 'x', imageID: '', ready: false, restartCount: 0, ...s })),
    },
  };
}

const running = { ready: true, state: { running: { startedAt: ago(50_000) } } };
const cases: { name: string; pod: Pod; want: { ready: string; reason: string; restarts: string } }[] = [
  { name: 'a pending pod not yet scheduled', pod: pod('Pending', []), want: { ready: '0/0', reason: 'Pending', restarts: '0' } },
  { name: 'a pod whose container is being created', pod: pod('Pending', [{ state: { waiting: { reason: 'ContainerCreating' } } }]),
    want: { ready: '0/1', reason: 'ContainerCreating', restarts: '0' } },
  { name: 'a running pod with all containers ready', pod: pod('Running', [running, running], { ready: true }),
    want: { ready: '2/2', reason: 'Running', restarts: '0' } },
  { name: 'a crash-looping container shows its restarts and when', pod: pod('Running', [{
    restartCount: 2, state: { waiting: { reason: 'CrashLoopBackOff' } },
    lastState: { terminated: { exitCode: 1, finishedAt: ago(5 * 60_000) } } }]),
  want: { ready: '0/1', reason: 'CrashLoopBackOff', restarts: '2 (5m ago)' } },
  { name: 'a completed pod', pod: pod('Succeeded', [{ state: { terminated: { exitCode: 0, reason: 'Completed' } } }]),
    want: { ready: '0/1', reason: 'Completed', restarts: '0' } },
  { name: 'a container killed without a reason shows its exit code', pod: pod('Failed', [{ state: { terminated: { exitCode: 137 } } }]),
    want: { ready: '0/1', reason: 'ExitCode:137', restarts: '0' } },
  { name: 'a completed sidecar next to a running container is Running', pod: pod('Running', [running, { state: { terminated: { exitCode: 0, reason: 'Completed' } } }], { ready: true }),
    want: { ready: '1/2', reason: 'Running', restarts: '0' } },
  { name: 'a pod being deleted is Terminating', pod: pod('Running', [running], { deleting: true }),
    want: { ready: '1/1', reason: 'Terminating', restarts: '0' } },
  { name: 'the first of two init containers still running', pod: pod('Pending', [{ state: { waiting: { reason: 'PodInitializing' } } }], {
    initSpec: 2, init: [{ state: { running: {} } }, { state: { waiting: { reason: 'PodInitializing' } } }] }),
  want: { ready: '0/1', reason: 'Init:0/2', restarts: '0' } },
  { name: 'a failed init container shows its reason', pod: pod('Pending', [{}], {
    initSpec: 1, init: [{ state: { terminated: { exitCode: 1, reason: 'Error' } }, restartCount: 3 }] }),
  want: { ready: '0/1', reason: 'Init:Error', restarts: '3' } },
  { name: 'an init container stuck in back-off', pod: pod('Pending', [{}], {
    initSpec: 1, init: [{ state: { waiting: { reason: 'CrashLoopBackOff' } } }] }),
  want: { ready: '0/1', reason: 'Init:CrashLoopBackOff', restarts: '0' } },
];

for (const c of cases) test(c.name, () => assert.deepEqual(podStatus(c.pod, now), c.want));

test('the wide cells show <none> for missing IP, node and gates', () => {
  const cells = podTable.rowCells(pod('Pending', []), now);
  assert.deepEqual(cells, ['p', '0/0', 'Pending', '0', '60s', '<none>', '<none>', '<none>', '<none>']);
});

test('a succeeded pod carries the Completed row condition', () => {
  assert.deepEqual(podTable.rowConditions?.(pod('Succeeded', [])), [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);
});
