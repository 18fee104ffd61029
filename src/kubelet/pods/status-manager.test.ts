/** @module The status manager against an in-process API server: writes only changes, coalesces, never writes to a recreated pod. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Client, Obj } from '../../client/client.js';
import { ref } from '../../client/kind-ref.js';
import { startInProcess, type InProcessCluster } from '../../../test/support/in-process.js';
import { StatusManager } from './status-manager.js';

let cluster: InProcessCluster;
let client: Client;
before(async () => {
  cluster = await startInProcess();
  client = cluster.client('test');
});
after(async () => { await cluster?.close(); });

const pods = ref('Pod', 'default');
const mkPod = (name: string) => client.create(pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name },
  spec: { nodeName: 'n', containers: [{ name: 'c', image: 'busybox:1' }] } });
const counting = () => {
  let patches = 0;
  const c: Client = { ...client, get: client.get.bind(client), patch: (...a: Parameters<Client['patch']>) => { patches++; return client.patch(...a); } } as Client;
  return { c, count: () => patches };
};
const warnings: string[] = [];
const log = { warn: (m: string) => { warnings.push(m); } };

test('only changed statuses are written, and a burst of them as one or two writes', async () => {
  const pod = await mkPod('a');
  const { c, count } = counting();
  const sm = new StatusManager({ client: c, log });
  const st = (phase: string, n: number): Obj => ({ phase, hostIP: `10.0.0.${n}` });
  for (let i = 0; i < 20; i++) sm.setStatus(pod, sm.merged(pod, st('Pending', i)));
  await sm.flush();
  assert.ok(count() <= 2, `${count()} writes`);
  assert.equal((await client.get(pods, 'a')).status.hostIP, '10.0.0.19');
  const before = count();
  sm.setStatus(pod, sm.merged(pod, st('Pending', 19)));
  await sm.flush();
  assert.equal(count(), before, 'an unchanged status is not written');
});

test('a pod deleted and recreated under the same name is not written to', async () => {
  const old = await mkPod('b');
  await client.delete(pods, 'b', { gracePeriodSeconds: 0 });
  await mkPod('b');
  const sm = new StatusManager({ client, log });
  sm.setStatus(old, { phase: 'Running', hostIP: '10.9.9.9' });
  await sm.flush();
  assert.notEqual((await client.get(pods, 'b')).status?.hostIP, '10.9.9.9');
  assert.ok(warnings.some((w) => w.startsWith('status of pod default/b')), warnings.join('\n'));
});
