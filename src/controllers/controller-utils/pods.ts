/**
 * @module Pod predicates the workload controllers share (upstream podutil and controller_utils):
 * readiness, availability after minReadySeconds, and which pods are still active.
 */
import type { Obj } from '../../client/client.js';

/** The pod's Ready condition, if any. */
export const podReadyCondition = (pod: Obj): Obj | undefined =>
  (pod.status?.conditions as Obj[] | undefined)?.find((c) => c.type === 'Ready');

/** podutil.IsPodReady: the Ready condition is True. */
export const isPodReady = (pod: Obj): boolean => podReadyCondition(pod)?.status === 'True';

/** When the pod became ready (ms), or undefined when it is not ready or the time is unknown. */
export function podReadyTime(pod: Obj): number | undefined {
  const c = podReadyCondition(pod);
  if (c?.status !== 'True' || !c.lastTransitionTime) return undefined;
  return Date.parse(c.lastTransitionTime);
}

/** podutil.IsPodAvailable: ready, and ready for longer than minReadySeconds at `now` (ms). */
export function isPodAvailable(pod: Obj, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(pod)) return false;
  if (!minReadySeconds) return true;
  const since = podReadyTime(pod);
  return since !== undefined && since + minReadySeconds * 1000 < now;
}

/** controller.IsPodActive: not Succeeded, not Failed, not being deleted. */
export const isPodActive = (pod: Obj): boolean =>
  pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed' && !pod.metadata?.deletionTimestamp;

/** controller.FilterActivePods. */
export const filterActivePods = (pods: Obj[]): Obj[] => pods.filter(isPodActive);
