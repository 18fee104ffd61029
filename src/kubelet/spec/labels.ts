/**
 * @module The labels and annotations the kubelet puts on CRI sandboxes and containers
 * (kuberuntime labels.go): how it, the kubelet's HTTP server and a restarted agent find a pod's
 * containers, their restart count and what to do when stopping them.
 */
import { createHash } from 'node:crypto';
import type { Obj } from '../../client/client.js';
import { Labels } from '../cri/types.js';

export const Annotations = {
  containerHash: 'io.kubernetes.container.hash',
  restartCount: 'io.kubernetes.container.restartCount',
  terminationMessagePath: 'io.kubernetes.container.terminationMessagePath',
  terminationMessagePolicy: 'io.kubernetes.container.terminationMessagePolicy',
  preStopHandler: 'io.kubernetes.container.preStopHandler',
  containerPorts: 'io.kubernetes.container.ports',
  podDeletionGracePeriod: 'io.kubernetes.pod.deletionGracePeriod',
  podTerminationGracePeriod: 'io.kubernetes.pod.terminationGracePeriod',
} as const;

/** newPodLabels: the pod's own labels plus its name, namespace and uid. */
export function sandboxLabels(pod: Obj): Record<string, string> {
  const m = pod.metadata ?? {};
  return { ...(m.labels ?? {}), [Labels.podName]: m.name, [Labels.podNamespace]: m.namespace, [Labels.podUID]: m.uid };
}

/** newContainerLabels: only the kubelet's four, so that pod labels never confuse the lookup. */
export function containerLabels(pod: Obj, container: Obj): Record<string, string> {
  const m = pod.metadata ?? {};
  return { [Labels.podName]: m.name, [Labels.podNamespace]: m.namespace, [Labels.podUID]: m.uid, [Labels.containerName]: container.name };
}

/** A stable hash of the container spec (hex), to notice a changed spec after a restart of the agent. */
export const containerHash = (container: Obj) => createHash('sha256').update(JSON.stringify(container)).digest('hex').slice(0, 8);

/** newContainerAnnotations. */
export function containerAnnotations(pod: Obj, container: Obj, restartCount: number): Record<string, string> {
  const a: Record<string, string> = {
    [Annotations.containerHash]: containerHash(container),
    [Annotations.restartCount]: String(restartCount),
    [Annotations.terminationMessagePath]: container.terminationMessagePath ?? '/dev/termination-log',
    [Annotations.terminationMessagePolicy]: container.terminationMessagePolicy ?? 'File',
  };
  const m = pod.metadata ?? {};
  if (m.deletionGracePeriodSeconds !== undefined && m.deletionGracePeriodSeconds !== null) a[Annotations.podDeletionGracePeriod] = String(m.deletionGracePeriodSeconds);
  const grace = pod.spec?.terminationGracePeriodSeconds;
  if (grace !== undefined && grace !== null) a[Annotations.podTerminationGracePeriod] = String(grace);
  if (container.lifecycle?.preStop) a[Annotations.preStopHandler] = JSON.stringify(container.lifecycle.preStop);
  if (container.ports?.length) a[Annotations.containerPorts] = JSON.stringify(container.ports);
  return a;
}
