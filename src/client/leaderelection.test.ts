/**
 * @module Leader election over an in-process cluster: one leader among candidates, hand-over on
 * stop (released or expired), stepping down when renewals fail; a fake clock for the lease arithmetic.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import { startInProcess, type InProcessCluster } from '../../test/support/in-process.js';
import { newInternalError } from '../apimachinery/errors.js';
import type { Client } from './client.js';
import { ref } from './kind-ref.js';
import { LeaderElector, microTime, type LeaderElectionClock, type LeaderElectionOptions } from './leaderelection.js';

let cluster: InProcessCluster;
before(async () => { cluster = await startInProcess(); });
after(async () => { await cluster.close(); });

const leases = ref('Lease', 'kube-system');
const fast = { leaseDurationSeconds: 1, renewDeadlineSeconds: 0.6, retryPeriodSeconds: 0.1 };

interface Candidate { elector: LeaderElector; stop: AbortController; done: Promise<void>; log: string[]; leadSignal?: AbortSignal }

function candidate(name: string, identity: string, extra: Partial<LeaderElectionOptions> = {}, client: Client = cluster.client()): Candidate {
  const log: string[] = [];
  const c: Partial<Candidate> = { log, stop: new AbortController() };
  c.elector = new LeaderElector({ client, name, identity, ...fast, ...extra,
    onStartedLeading: (signal) => { log.push('started'); c.leadSignal = signal; },
    onStoppedLeading: () => log.push('stopped'),
    onNewLeader: (id) => log.push(`leader ${id}`) });
  c.done = c.elector.run(c.stop!.signal);
  return c as Candidate;
}

async function until(cond: () => boolean, ms: number): Promise<number> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return Date.now() - start;
}

for (const release of [true, false]) {
  test(`two candidates: one leads; stopping it hands over within the lease duration (releaseOnCancel ${release})`, async () => {
    const name = `le-${release}`;
    const a = candidate(name, 'a', { releaseOnCancel: release });
    const b = candidate(name, 'b', { releaseOnCancel: release });
    try {
      await until(() => a.elector.isLeader() || b.elector.isLeader(), 3000);
      // Several renew periods pass: still exactly one leader.
      await new Promise((r) => setTimeout(r, 500));
      const [leader, follower] = a.elector.isLeader() ? [a, b] : [b, a];
      assert.ok(!follower.elector.isLeader());
      assert.equal(follower.elector.leader(), leader === a ? 'a' : 'b');
      const lease = await cluster.client().get(leases, name);
      assert.equal(lease.spec.holderIdentity, leader === a ? 'a' : 'b');
      assert.match(lease.spec.renewTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);

      leader.stop.abort();
      await leader.done;
      assert.deepEqual(leader.log.filter((l) => !l.startsWith('leader')), ['started', 'stopped']);
      assert.ok(leader.leadSignal?.aborted);
      const took = await until(() => follower.elector.isLeader(), 2500);
      // Released: at the follower's next try; expired: within a lease duration plus a (jittered) retry.
      assert.ok(took < (release ? 600 : 1600), `hand-over took ${took} ms`);
      assert.equal((await cluster.client().get(leases, name)).spec.leaseTransitions, 1);
    } finally {
      a.stop.abort();
      b.stop.abort();
      await Promise.all([a.done, b.done]);
    }
  });
}

test('a leader whose renewals fail steps down after the renew deadline and aborts its signal', async () => {
  let failing = false;
  const base = cluster.client();
  const flaky: Client = { ...bindAll(base), update: (r, o, w) => (failing ? Promise.reject(newInternalError('injected')) : base.update(r, o, w)) };
  const c = candidate('le-flaky', 'x', {}, flaky);
  try {
    await until(() => c.elector.isLeader(), 3000);
    failing = true;
    const took = await until(() => !c.elector.isLeader(), 3000);
    await c.done;
    assert.ok(took >= 400, `stepped down after ${took} ms, before the renew deadline`);
    assert.ok(c.leadSignal?.aborted);
    assert.equal(c.log.at(-1), 'stopped');
  } finally {
    c.stop.abort();
    await c.done;
  }
});

test('with a fake clock: a lease renewed by another is taken only once it expires, with a transition', async () => {
  const client = cluster.client();
  let now = Date.parse('2026-01-01T00:00:00Z');
  const clock: LeaderElectionClock = { now: () => now, sleep: async (ms, signal) => { if (!signal.aborted) now += ms; await tick(); } };
  await client.create(leases, { metadata: { name: 'le-clock', namespace: 'kube-system' }, spec: {
    holderIdentity: 'other', leaseDurationSeconds: 15, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 4 } });
  const start = now;
  const stop = new AbortController();
  let acquiredAt = 0;
  const elector = new LeaderElector({ client, name: 'le-clock', identity: 'me', clock,
    onNewLeader: (id) => { if (id === 'me' && !acquiredAt) acquiredAt = now; },
    onStartedLeading: () => stop.abort(), onStoppedLeading: () => {} });
  await elector.run(stop.signal);
  const lease = await client.get(leases, 'le-clock');
  // Tries come every retry period with client-go's jitter (up to 2.2 × 2 s): the first one after expiry wins.
  const took = acquiredAt - start;
  assert.ok(took > 15_000 && took <= 15_000 + 4400, `took over after ${took} ms`);
  // Released on stop: holder empty, transitions kept.
  assert.equal(lease.spec.holderIdentity, '');
  assert.equal(lease.spec.leaseTransitions, 5);
});

test('microTime has six fractional digits', () => {
  assert.equal(microTime(Date.parse('2026-01-01T00:00:00.123Z')), '2026-01-01T00:00:00.123000Z');
});

function bindAll(c: Client): Client {
  return { get: c.get.bind(c), list: c.list.bind(c), create: c.create.bind(c), update: c.update.bind(c),
    updateStatus: c.updateStatus.bind(c), patch: c.patch.bind(c), delete: c.delete.bind(c), watch: c.watch.bind(c),
    createSubresource: c.createSubresource.bind(c) };
}
