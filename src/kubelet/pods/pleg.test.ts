/** @module The PLEG reports exactly the pods whose sandboxes or containers changed between relists. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Container, ContainerState, PodSandbox } from '../cri/types.js';
import { Pleg } from './pleg.js';

const sb = (id: string, uid: string): PodSandbox => ({ id, metadata: { name: id, namespace: 'ns', uid }, state: 'SANDBOX_READY', createdAt: '1',
  labels: { 'io.kubernetes.pod.uid': uid }, annotations: {} });
const ctr = (id: string, uid: string, state: ContainerState): Container => ({ id, podSandboxId: 's', metadata: { name: id }, image: { image: 'i' },
  imageRef: 'r', state, createdAt: '1', labels: { 'io.kubernetes.pod.uid': uid }, annotations: {} });

test('only changed pods are reported: a started, exited or removed container, a new or gone pod', async () => {
  let sandboxes = [sb('s1', 'a'), sb('s2', 'b')];
  let containers = [ctr('c1', 'a', 'CONTAINER_RUNNING'), ctr('c2', 'b', 'CONTAINER_RUNNING')];
  const changed: string[] = [];
  const pleg = new Pleg({ runtime: { listPodSandbox: async () => sandboxes, listContainers: async () => containers },
    onPodChanged: (uid) => changed.push(uid), log: { warn: assert.fail } });
  await pleg.relist();
  assert.deepEqual(changed.sort(), ['a', 'b']);
  changed.length = 0;
  await pleg.relist();
  assert.deepEqual(changed, [], 'nothing changed');
  containers = [ctr('c1', 'a', 'CONTAINER_EXITED'), ctr('c2', 'b', 'CONTAINER_RUNNING')];
  await pleg.relist();
  assert.deepEqual(changed, ['a']);
  changed.length = 0;
  sandboxes = [sb('s2', 'b'), sb('s3', 'c')];
  containers = [ctr('c2', 'b', 'CONTAINER_RUNNING')];
  await pleg.relist();
  assert.deepEqual(changed.sort(), ['a', 'c']);
  assert.deepEqual(pleg.podUIDs().sort(), ['b', 'c']);
});

test('what a pod worker observed is not reported again; a change after it, or a pod gone, still is', async () => {
  let sandboxes: PodSandbox[] = [];
  let containers: Container[] = [];
  const changed: string[] = [];
  const pleg = new Pleg({ runtime: { listPodSandbox: async () => sandboxes, listContainers: async () => containers },
    onPodChanged: (uid) => changed.push(uid), log: { warn: assert.fail } });
  await pleg.relist();
  // The worker started a sandbox and a container and read them back.
  sandboxes = [sb('s1', 'a')];
  containers = [ctr('c1', 'a', 'CONTAINER_RUNNING')];
  pleg.observed('a', { sandboxes, containers });
  await pleg.relist();
  assert.deepEqual(changed, [], 'its own start is not an event');
  assert.deepEqual(pleg.podUIDs(), ['a']);
  containers = [ctr('c1', 'a', 'CONTAINER_EXITED')];
  await pleg.relist();
  assert.deepEqual(changed, ['a'], 'the exit is');
  changed.length = 0;
  // The worker removed the pod: its disappearance is no event either.
  sandboxes = [];
  containers = [];
  pleg.observed('a');
  await pleg.relist();
  assert.deepEqual(changed, []);
  assert.deepEqual(pleg.podUIDs(), []);
});
