/**
 * @module EventBroadcaster over an in-process cluster: Event shape, dedup into count and
 * lastTimestamp, a new Event after the window, the per-object rate limit, and errors dropped.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startInProcess, type InProcessCluster } from '../../test/support/in-process.js';
import type { Client, Obj } from './client.js';
import { EventBroadcaster } from './events.js';
import { ref } from './kind-ref.js';

let cluster: InProcessCluster;
before(async () => { cluster = await startInProcess(); });
after(async () => { await cluster.close(); });

const events = ref('Event', 'default');
const pod = (name: string): Obj => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: `uid-${name}`, resourceVersion: '7' } });
const about = async (name: string) =>
  (await cluster.client().list(events, { fieldSelector: `involvedObject.name=${name}` })).items;

test('an event is a core/v1 Event about the object, named <object>.<hex timestamp>', async () => {
  const b = new EventBroadcaster(cluster.client(), { now: () => Date.parse('2026-01-01T00:00:00Z') });
  b.recorder('default-scheduler', 'host-1').event(pod('shape'), 'Normal', 'Scheduled', 'Successfully assigned default/shape to n1');
  await b.flush();
  const [e, ...rest] = await about('shape');
  assert.equal(rest.length, 0);
  assert.match(e.metadata.name, /^shape\.[0-9a-f]+$/);
  assert.deepEqual(
    { involvedObject: e.involvedObject, type: e.type, reason: e.reason, message: e.message, count: e.count, source: e.source,
      firstTimestamp: e.firstTimestamp, lastTimestamp: e.lastTimestamp, reportingComponent: e.reportingComponent, reportingInstance: e.reportingInstance },
    { involvedObject: { kind: 'Pod', namespace: 'default', name: 'shape', uid: 'uid-shape', apiVersion: 'v1', resourceVersion: '7' },
      type: 'Normal', reason: 'Scheduled', message: 'Successfully assigned default/shape to n1', count: 1,
      source: { component: 'default-scheduler', host: 'host-1' }, firstTimestamp: '2026-01-01T00:00:00Z', lastTimestamp: '2026-01-01T00:00:00Z',
      reportingComponent: 'default-scheduler', reportingInstance: 'host-1' });
});

test('a repeat within the window bumps count and lastTimestamp; a different message or a later repeat is a new Event', async () => {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const b = new EventBroadcaster(cluster.client(), { now: () => now, dedupWindowMs: 60_000 });
  const r = b.recorder('kubelet');
  for (let i = 0; i < 3; i++) { r.event(pod('dedup'), 'Warning', 'BackOff', 'Back-off restarting failed container'); now += 1000; }
  r.event(pod('dedup'), 'Warning', 'BackOff', 'another message');
  await b.flush();
  let evs = await about('dedup');
  const byMessage = (m: string) => evs.filter((e) => e.message === m);
  assert.equal(evs.length, 2);
  const [bumped] = byMessage('Back-off restarting failed container');
  assert.equal(bumped.count, 3);
  assert.equal(bumped.firstTimestamp, '2026-01-01T00:00:00Z');
  assert.equal(bumped.lastTimestamp, '2026-01-01T00:00:02Z');
  now += 120_000;
  r.event(pod('dedup'), 'Warning', 'BackOff', 'Back-off restarting failed container');
  await b.flush();
  evs = await about('dedup');
  assert.deepEqual(byMessage('Back-off restarting failed container').map((e) => e.count).sort(), [1, 3]);
});

test('a deleted Event is recreated on the next repeat', async () => {
  const b = new EventBroadcaster(cluster.client());
  const r = b.recorder('c');
  r.event(pod('gone'), 'Normal', 'R', 'm');
  await b.flush();
  const [first] = await about('gone');
  await cluster.client().delete(events, first.metadata.name);
  r.event(pod('gone'), 'Normal', 'R', 'm');
  await b.flush();
  const evs = await about('gone');
  assert.equal(evs.length, 1);
  assert.notEqual(evs[0].metadata.name, first.metadata.name);
});

test('events past the per-object burst are dropped until tokens refill', async () => {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const b = new EventBroadcaster(cluster.client(), { now: () => now, burst: 3, refillIntervalMs: 10_000 });
  const r = b.recorder('c');
  for (let i = 0; i < 6; i++) r.event(pod('spam'), 'Normal', 'R', `m${i}`);
  now += 10_000;
  r.event(pod('spam'), 'Normal', 'R', 'after refill');
  await b.flush();
  assert.deepEqual((await about('spam')).map((e) => e.message).sort(), ['after refill', 'm0', 'm1', 'm2']);
});

test('event() returns at once and write errors are logged, not thrown', async () => {
  const errors: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  const failing = { create: async () => { await gate; throw new Error('api down'); } } as unknown as Client;
  const b = new EventBroadcaster(failing, { log: { error: (_o, msg) => errors.push(msg ?? '') } });
  b.recorder('c').event(pod('x'), 'Warning', 'R', 'm');
  assert.deepEqual(errors, []);
  release();
  await b.flush();
  assert.deepEqual(errors, ['event write failed: dropped']);
});
