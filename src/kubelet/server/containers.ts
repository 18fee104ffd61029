/**
 * @module Finds a pod's sandbox and containers through CRI by the labels the kubelet puts on them
 * (namespace, name, uid, container name), so the agent's API needs no pod state of its own.
 * The current container is the newest by restart count then creation; the previous one is the
 * newest exited container before it.
 */
import { Labels, type Container, type PodSandbox, type RuntimeService } from '../cri/types.js';
import { Annotations } from '../spec/labels.js';
import type { PodRef } from './routes.js';

export const RESTART_COUNT_ANNOTATION = Annotations.restartCount;

/**
 * The pod's sandbox: the newest ready one, else the newest. When a pod was deleted and created
 * again under the same name, its uid tells the two apart; without a uid the newest wins.
 */
export async function findSandbox(runtime: Pick<RuntimeService, 'listPodSandbox'>, pod: PodRef): Promise<PodSandbox | undefined> {
  const sandboxes = await runtime.listPodSandbox({ labelSelector: podSelector(pod) });
  const newest = (list: PodSandbox[]) => list.sort((a, b) => cmpNs(b.createdAt, a.createdAt))[0];
  return newest(sandboxes.filter((s) => s.state === 'SANDBOX_READY')) ?? newest(sandboxes);
}

/** The containers named `container` of the pod (of its newest sandbox's uid), newest (current) first. */
export async function podContainers(runtime: Pick<RuntimeService, 'listPodSandbox' | 'listContainers'>, pod: PodRef, container: string): Promise<Container[]> {
  const uid = pod.uid ?? (await findSandbox(runtime, pod))?.labels[Labels.podUID];
  const selector = { ...podSelector({ ...pod, uid }), [Labels.containerName]: container };
  const list = await runtime.listContainers({ labelSelector: selector });
  return list.sort(newestFirst);
}

/**
 * The container `logs --previous` reads: the pod status's lastState.terminated. While a restart
 * waits in back-off, the newest container has exited and is that one; once its successor runs,
 * it is the newest exited container before the current one.
 */
export function previousContainer(newestFirst: Container[]): Container | undefined {
  if (newestFirst[0]?.state === 'CONTAINER_EXITED') return newestFirst[0];
  return newestFirst.slice(1).find((x) => x.state === 'CONTAINER_EXITED');
}

function podSelector(pod: PodRef): Record<string, string> {
  return {
    [Labels.podNamespace]: pod.namespace,
    [Labels.podName]: pod.name,
    ...(pod.uid ? { [Labels.podUID]: pod.uid } : {}),
  };
}

export function restartCount(c: Pick<Container, 'annotations'>): number {
  const n = Number(c.annotations?.[RESTART_COUNT_ANNOTATION]);
  return Number.isInteger(n) && n >= 0 ? n : 0;
}

function newestFirst(a: Container, b: Container): number {
  return restartCount(b) - restartCount(a) || cmpNs(b.createdAt, a.createdAt);
}

/** Compares nanosecond timestamps, which are decimal strings too large for a number. */
function cmpNs(a: string, b: string): number {
  const x = BigInt(a || '0');
  const y = BigInt(b || '0');
  return x < y ? -1 : x > y ? 1 : 0;
}
