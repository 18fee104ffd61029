/**
 * @module ProbeManager with a fake ExecSync and a real HTTP server on 127.0.0.1, on a shortened
 * probe second: thresholds, initial delay, timeout, startup gating, liveness failure, events,
 * onChange, idempotent adds, and that nothing runs after remove or stop.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Obj } from '../../client/client.js';
import type { EventRecorder } from '../../client/events.js';
import { CRIError, type ExecSyncResponse } from '../cri/types.js';
import { ProbeManager } from './manager.js';

const SECOND = 20;

/** execSync whose answer per container the test sets: exit code, output, hang, or a runtime error. */
class FakeExec {
  calls: { id: string; cmd: string[]; timeout: number; at: number }[] = [];
  answer = new Map<string, { exitCode?: number; out?: string; hang?: boolean; error?: Error }>();
  execSync = async (id: string, cmd: string[], timeout: number): Promise<ExecSyncResponse> => {
    this.calls.push({ id, cmd, timeout, at: Date.now() });
    const a = this.answer.get(id) ?? {};
    if (a.error) throw a.error;
    if (a.hang) await new Promise(() => {});
    return { stdout: Buffer.from(a.out ?? ''), stderr: Buffer.from(''), exitCode: a.exitCode ?? 0 };
  };
  count = (id: string) => this.calls.filter((c) => c.id === id).length;
}

function setup(extra: { now?: () => number } = {}) {
  const exec = new FakeExec();
  const events: { reason: string; message: string; name: string }[] = [];
  const recorder: EventRecorder = { event: (obj, _type, reason, message) => events.push({ reason, message, name: obj.metadata.name }) };
  const changes: string[] = [];
  const pm = new ProbeManager({ runtime: exec, recorder, onChange: (uid) => changes.push(uid), secondMs: SECOND, ...extra });
  return { exec, events, changes, pm };
}

const pod = (name = 'p'): Obj => ({ metadata: { name, namespace: 'ns', uid: `uid-${name}` }, spec: {} });
const execProbe = (fields: Obj = {}) => ({ exec: { command: ['check', '$(MODE)'] }, periodSeconds: 1, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3, ...fields });

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(5);
  }
}

let server: Server;
let port: number;
let healthy = true;
before(async () => {
  server = createServer((_req, res) => { res.statusCode = healthy ? 200 : 500; res.end(); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
after(async () => { server.closeAllConnections(); await new Promise((r) => server.close(r)); });

test('no probes: ready and started at once; unknown containers count as probe-less', () => {
  const { pm } = setup();
  pm.addContainer({ pod: pod(), container: { name: 'c' }, containerId: 'c1', podIP: '127.0.0.1', startedAtMs: Date.now() });
  assert.equal(pm.isReady('c1'), true);
  assert.equal(pm.isStarted('c1'), true);
  assert.equal(pm.livenessFailure('c1'), undefined);
  assert.equal(pm.isReady('never-added'), true);
  pm.stop();
});

test('readiness over HTTP: not ready until it succeeds; a failure clears Ready only after failureThreshold; events; onChange', async () => {
  healthy = true;
  const { pm, events, changes } = setup();
  const container = { name: 'web', ports: [{ name: 'http', containerPort: port }],
    readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 1, timeoutSeconds: 50, successThreshold: 2, failureThreshold: 2 } };
  pm.addContainer({ pod: pod('web'), container, containerId: 'r1', podIP: '127.0.0.1', startedAtMs: Date.now() });
  assert.equal(pm.isReady('r1'), false, 'not ready before the first probe');
  await until(() => pm.isReady('r1'));
  assert.deepEqual(changes, ['uid-web']);
  healthy = false;
  await until(() => !pm.isReady('r1'));
  assert.deepEqual(changes, ['uid-web', 'uid-web']);
  assert.deepEqual(events.slice(0, 2), [
    { reason: 'Unhealthy', message: 'Readiness probe failed: HTTP probe failed with statuscode: 500', name: 'web' },
    { reason: 'Unhealthy', message: 'Readiness probe failed: HTTP probe failed with statuscode: 500', name: 'web' },
  ]);
  assert.equal(pm.livenessFailure('r1'), undefined, 'readiness never restarts');
  pm.stop();
  healthy = true;
});

test('liveness: failureThreshold failures in a row set livenessFailure, then the worker holds; output in the event', async () => {
  const { pm, exec, events, changes } = setup();
  exec.answer.set('l1', { exitCode: 1, out: 'not healthy\n' });
  const container = { name: 'app', env: [{ name: 'MODE', value: 'deep' }], livenessProbe: execProbe({ failureThreshold: 3, timeoutSeconds: 7 }) };
  pm.addContainer({ pod: pod('live'), container, containerId: 'l1', podIP: '', startedAtMs: Date.now() });
  await until(() => pm.livenessFailure('l1') !== undefined);
  assert.equal(pm.livenessFailure('l1'), 'Container app failed liveness probe, will be restarted');
  assert.equal(exec.count('l1'), 3);
  assert.deepEqual({ ...exec.calls[0], at: 0 }, { id: 'l1', cmd: ['check', 'deep'], timeout: 7, at: 0 });
  assert.deepEqual(events.map((e) => e.message), Array(3).fill('Liveness probe failed: not healthy\n'));
  assert.deepEqual(changes, ['uid-live']);
  await sleep(4 * SECOND);
  assert.equal(exec.count('l1'), 3, 'on hold until the container is replaced');
  pm.removeContainer('l1');
  assert.equal(pm.livenessFailure('l1'), undefined);
  pm.stop();
});

test('a success between failures resets the count', async () => {
  const { pm, exec } = setup();
  const container = { name: 'app', livenessProbe: execProbe({ failureThreshold: 2 }) };
  pm.addContainer({ pod: pod(), container, containerId: 'f1', podIP: '', startedAtMs: Date.now() });
  for (let i = 0; i < 6; i++) {
    exec.answer.set('f1', { exitCode: i % 2 });
    const n = exec.count('f1');
    await until(() => exec.count('f1') > n);
  }
  assert.equal(pm.livenessFailure('f1'), undefined);
  pm.stop();
});

test('initialDelaySeconds: no probe before it, measured from the container start', async () => {
  const { pm, exec } = setup();
  const start = Date.now();
  pm.addContainer({ pod: pod(), container: { name: 'a', livenessProbe: execProbe({ initialDelaySeconds: 10, periodSeconds: 30 }) }, containerId: 'd1', podIP: '', startedAtMs: start });
  await until(() => exec.count('d1') > 0);
  const elapsed = Date.now() - start;
  assert.ok(elapsed >= 10 * SECOND, `first probe after ${elapsed} ms`);
  assert.ok(elapsed < 30 * SECOND, 'the first probe comes at the delay, not a period later');
  pm.stop();
});

test('exec timeout: a runtime DeadlineExceeded or a hung call is a failure "command … timed out"', async () => {
  const { pm, exec, events } = setup();
  exec.answer.set('t1', { error: new CRIError('ExecSync', 4, 'deadline exceeded') });
  exec.answer.set('t2', { hang: true });
  const container = { name: 'a', livenessProbe: execProbe({ exec: { command: ['sleep', '10'] }, failureThreshold: 1 }) };
  pm.addContainer({ pod: pod('t1'), container, containerId: 't1', podIP: '', startedAtMs: Date.now() });
  pm.addContainer({ pod: pod('t2'), container, containerId: 't2', podIP: '', startedAtMs: Date.now() });
  await until(() => pm.livenessFailure('t1') !== undefined && pm.livenessFailure('t2') !== undefined);
  assert.deepEqual(events.map((e) => e.message), ['Liveness probe failed: command "sleep 10" timed out', 'Liveness probe failed: command "sleep 10" timed out']);
  pm.stop();
});

test('a runtime error is retried three times, reported as errored, and never counts as a result', async () => {
  const { pm, exec, events } = setup();
  exec.answer.set('e1', { error: new CRIError('ExecSync', 5, 'container not found') });
  pm.addContainer({ pod: pod(), container: { name: 'a', livenessProbe: execProbe({ failureThreshold: 1 }) }, containerId: 'e1', podIP: '', startedAtMs: Date.now() });
  await until(() => exec.count('e1') >= 6);
  assert.equal(pm.livenessFailure('e1'), undefined);
  assert.deepEqual(events[0], { reason: 'Unhealthy', message: 'Liveness probe errored: ExecSync: container not found', name: 'p' });
  pm.stop();
});

test('startup gates liveness and readiness; its success starts them; its failure restarts the container', async () => {
  const { pm, exec, changes } = setup();
  exec.answer.set('s1', { exitCode: 1 });
  const container = { name: 'slow', startupProbe: execProbe({ exec: { command: ['startup'] }, failureThreshold: 30 }),
    livenessProbe: execProbe({ exec: { command: ['live'] } }), readinessProbe: execProbe({ exec: { command: ['ready'] } }) };
  pm.addContainer({ pod: pod('s'), container, containerId: 's1', podIP: '', startedAtMs: Date.now() });
  await until(() => exec.count('s1') >= 3);
  assert.deepEqual(new Set(exec.calls.map((c) => c.cmd[0])), new Set(['startup']), 'only the startup probe runs before it succeeds');
  assert.equal(pm.isStarted('s1'), false);
  assert.equal(pm.isReady('s1'), false);
  exec.answer.set('s1', { exitCode: 0 });
  await until(() => pm.isReady('s1'));
  assert.equal(pm.isStarted('s1'), true);
  const before = exec.calls.filter((c) => c.cmd[0] === 'startup').length;
  await until(() => exec.calls.some((c) => c.cmd[0] === 'live'));
  await sleep(3 * SECOND);
  assert.equal(exec.calls.filter((c) => c.cmd[0] === 'startup').length, before, 'startup stops once started');
  assert.ok(changes.length >= 2);
  pm.stop();

  const failing = setup();
  failing.exec.answer.set('s2', { exitCode: 1 });
  failing.pm.addContainer({ pod: pod('s2'), container: { name: 'never', startupProbe: execProbe({ failureThreshold: 2 }) }, containerId: 's2', podIP: '', startedAtMs: Date.now() });
  await until(() => failing.pm.livenessFailure('s2') !== undefined);
  assert.equal(failing.pm.livenessFailure('s2'), 'Container never failed startup probe, will be restarted');
  assert.equal(failing.events[0].message, 'Startup probe failed: ');
  failing.pm.stop();
});

test('addContainer is idempotent; removeContainer, removePod and stop end all probing', async () => {
  const { pm, exec } = setup();
  const container = { name: 'a', livenessProbe: execProbe() };
  for (let i = 0; i < 3; i++) pm.addContainer({ pod: pod('i'), container, containerId: 'i1', podIP: '', startedAtMs: Date.now() });
  pm.addContainer({ pod: pod('i'), container: { name: 'b', livenessProbe: execProbe() }, containerId: 'i2', podIP: '', startedAtMs: Date.now() });
  pm.addContainer({ pod: pod('j'), container, containerId: 'j1', podIP: '', startedAtMs: Date.now() });
  await until(() => exec.count('i1') >= 4);
  const at = exec.calls.filter((c) => c.id === 'i1').map((c) => c.at);
  for (let k = 1; k < at.length; k++) assert.ok(at[k] - at[k - 1] >= SECOND - 2, `one schedule for repeated adds: probes ${at[k] - at[k - 1]} ms apart`);
  pm.removePod('uid-i');
  const [i1, i2] = [exec.count('i1'), exec.count('i2')];
  pm.stop();
  const j1 = exec.count('j1');
  await sleep(4 * SECOND);
  assert.deepEqual([exec.count('i1'), exec.count('i2'), exec.count('j1')], [i1, i2, j1]);
});

test('a pod being deleted stops its liveness probe quietly', async () => {
  const { pm, exec } = setup();
  exec.answer.set('g1', { exitCode: 1 });
  const p = pod('g');
  const container = { name: 'a', livenessProbe: execProbe({ initialDelaySeconds: 2, failureThreshold: 1 }) };
  pm.addContainer({ pod: p, container, containerId: 'g1', podIP: '', startedAtMs: Date.now() });
  pm.addContainer({ pod: { ...p, metadata: { ...p.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } }, container, containerId: 'g1', podIP: '', startedAtMs: Date.now() });
  await sleep(5 * SECOND);
  assert.equal(exec.count('g1'), 0);
  assert.equal(pm.livenessFailure('g1'), undefined);
  pm.stop();
});

test('bad probe input is an errored probe, not a crash', async () => {
  const { pm, events } = setup();
  const container = { name: 'a', readinessProbe: { httpGet: { port: 'nope', path: '/' }, periodSeconds: 1 } };
  pm.addContainer({ pod: pod('bad'), container, containerId: 'b1', podIP: '127.0.0.1', startedAtMs: Date.now() });
  pm.addContainer({ pod: pod('bad'), container: { name: 'b', readinessProbe: { periodSeconds: 1 } }, containerId: 'b2', podIP: '127.0.0.1', startedAtMs: Date.now() });
  await until(() => events.length >= 2);
  assert.deepEqual(new Set(events.map((e) => e.message)), new Set(['Readiness probe errored: port nope not found', 'Readiness probe errored: missing probe handler for ns/bad:b']));
  assert.equal(pm.isReady('b1'), false);
  pm.stop();
});
