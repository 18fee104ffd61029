/**
 * @module Scheduler cycles against the in-process cluster (real store, registry, admission; no
 * HTTP): pods get bound, a pod that fits nowhere gets FailedScheduling with per-node reasons and
 * PodScheduled=False, and a high-priority pod preempts a lower-priority one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client, Obj } from '../client/client.js';
import { EventBroadcaster } from '../client/events.js';
import { InformerFactory } from '../client/informer.js';
import { ref } from '../client/kind-ref.js';
import { startInProcess } from '../../test/support/in-process.js';
import { Scheduler } from './scheduler.js';

const NS = 'default';

const node = (name: string, cpu: string, extra: Obj = {}): Obj => ({
  apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } }, spec: extra.spec ?? {},
  status: { allocatable: { cpu, memory: '4Gi', pods: '110' }, capacity: { cpu, memory: '4Gi', pods: '110' },
    conditions: [{ type: 'Ready', status: 'True' }] },
});

const pod = (name: string, cpu: string, spec: Obj = {}): Obj => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS },
  spec: { containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu } } }], ...spec },
});

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function withScheduler(fn: (client: Client) => Promise<void>): Promise<void> {
  const cluster = await startInProcess();
  const ctl = new AbortController();
  let running: Promise<void> | undefined;
  try {
    const client = cluster.client('default-scheduler');
    const broadcaster = new EventBroadcaster(client);
    const scheduler = new Scheduler({ client, informers: new InformerFactory(client), events: broadcaster.recorder('default-scheduler') });
    running = scheduler.run(ctl.signal);
    await fn(client);
    await broadcaster.flush();
  } finally {
    ctl.abort();
    await running;
    await cluster.close();
  }
}

const nodeOf = (client: Client, name: string) => async () => (await client.get(ref('Pod', NS), name)).spec?.nodeName as string | undefined;

test('pods are bound to nodes with room, and one that fits nowhere gets FailedScheduling with per-node reasons', async () => {
  await withScheduler(async (client) => {
    await client.create(ref('Node'), node('n1', '2'));
    await client.create(ref('Node'), node('n2', '8', { spec: { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }] } }));
    await client.create(ref('Node'), node('n3', '1'));
    for (const name of ['a', 'b', 'c']) await client.create(ref('Pod', NS), pod(name, '500m'));
    const placed = await Promise.all(['a', 'b', 'c'].map((n) => waitFor(`pod ${n} bound`, nodeOf(client, n))));
    assert.ok(placed.every((n) => n === 'n1' || n === 'n3'), `placed on ${placed}`);

    await client.create(ref('Pod', NS), pod('big', '3'));
    const want = '0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 2 Insufficient cpu. '
      + 'preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod..';
    const cond = await waitFor('PodScheduled=False', async () => {
      const p = await client.get(ref('Pod', NS), 'big');
      return (p.status?.conditions ?? []).find((c: Obj) => c.type === 'PodScheduled');
    });
    assert.deepEqual({ status: cond.status, reason: cond.reason, message: cond.message }, { status: 'False', reason: 'Unschedulable', message: want });
    const ev = await waitFor('FailedScheduling event', async () => (await client.list(ref('Event', NS))).items
      .find((e) => e.involvedObject?.name === 'big' && e.reason === 'FailedScheduling'));
    assert.equal(ev.type, 'Warning');
    assert.equal(ev.message, want);
    assert.equal((await client.get(ref('Pod', NS), 'big')).spec.nodeName, undefined);
  });
});

test('an unschedulable pod is bound once a node that fits is added', async () => {
  await withScheduler(async (client) => {
    await client.create(ref('Node'), node('small', '1'));
    await client.create(ref('Pod', NS), pod('p', '2'));
    await waitFor('PodScheduled=False', async () => ((await client.get(ref('Pod', NS), 'p')).status?.conditions ?? [])
      .find((c: Obj) => c.type === 'PodScheduled' && c.status === 'False'));
    await client.create(ref('Node'), node('large', '4'));
    assert.equal(await waitFor('pod bound', nodeOf(client, 'p')), 'large');
  });
});

test('a higher-priority pod preempts a lower-priority one and is nominated, then bound when the victim is gone', async () => {
  await withScheduler(async (client) => {
    await client.create(ref('Node'), node('only', '1'));
    // Priorities come from PriorityClasses through the Priority admission, as for users.
    for (const [name, value] of [['low', 1], ['high', 1000]] as const) await client.create(ref('PriorityClass'), { metadata: { name }, value });
    await client.create(ref('PriorityClass'), { metadata: { name: 'mid-never' }, value: 100, preemptionPolicy: 'Never' });
    await client.create(ref('Pod', NS), pod('low', '800m', { priorityClassName: 'low', terminationGracePeriodSeconds: 0 }));
    await waitFor('low bound', nodeOf(client, 'low'));
    await client.create(ref('Pod', NS), pod('never', '800m', { priorityClassName: 'mid-never' }));
    const neverCond = await waitFor('never unschedulable', async () => ((await client.get(ref('Pod', NS), 'never')).status?.conditions ?? [])
      .find((c: Obj) => c.type === 'PodScheduled'));
    assert.equal(neverCond.message, '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.');

    await client.create(ref('Pod', NS), pod('high', '800m', { priorityClassName: 'high' }));
    assert.equal(await waitFor('high bound', nodeOf(client, 'high')), 'only');
    await assert.rejects(client.get(ref('Pod', NS), 'low'), /not found/);
    const ev = (await client.list(ref('Event', NS))).items.find((e) => e.involvedObject?.name === 'low' && e.reason === 'Preempted');
    const high = await client.get(ref('Pod', NS), 'high');
    assert.equal(ev?.message, `Preempted by pod ${high.metadata.uid} on node only`);
    assert.equal((await client.get(ref('Pod', NS), 'never')).spec.nodeName, undefined);
  });
});
