/**
 * @module Taints the node lifecycle controller manages and toleration matching, as upstream's
 * v1helper (ToleratesTaint, GetMatchingTolerations) and the taint manager's getMinTolerationTime.
 */
import type { Obj } from '../../client/client.js';

export interface Taint { key: string; value?: string; effect: string; timeAdded?: string }
export interface Toleration { key?: string; operator?: string; value?: string; effect?: string; tolerationSeconds?: number }

export const TaintNodeNotReady = 'node.kubernetes.io/not-ready';
export const TaintNodeUnreachable = 'node.kubernetes.io/unreachable';
export const TaintNodeUnschedulable = 'node.kubernetes.io/unschedulable';

/** NoSchedule taints for node conditions (upstream's nodeConditionToTaintKeyStatusMap), Ready handled apart. */
const conditionTaints: { type: string; status: string; key: string }[] = [
  { type: 'MemoryPressure', status: 'True', key: 'node.kubernetes.io/memory-pressure' },
  { type: 'DiskPressure', status: 'True', key: 'node.kubernetes.io/disk-pressure' },
  { type: 'NetworkUnavailable', status: 'True', key: 'node.kubernetes.io/network-unavailable' },
  { type: 'PIDPressure', status: 'True', key: 'node.kubernetes.io/pid-pressure' },
];

/** Every (key, effect) this controller adds and removes; other taints are the user's. */
export const managedTaint = (t: Taint): boolean =>
  ((t.key === TaintNodeNotReady || t.key === TaintNodeUnreachable) && (t.effect === 'NoSchedule' || t.effect === 'NoExecute'))
  || (t.effect === 'NoSchedule' && (t.key === TaintNodeUnschedulable || conditionTaints.some((c) => c.key === t.key)));

export const readyStatus = (node: Obj): string | undefined =>
  (node.status?.conditions ?? []).find((c: Obj) => c.type === 'Ready')?.status;

/** The NoSchedule taints a node's conditions and spec.unschedulable call for (doNoScheduleTaintingPass). */
export function noScheduleTaints(node: Obj): Taint[] {
  const out: Taint[] = [];
  const ready = readyStatus(node);
  if (ready === 'False') out.push({ key: TaintNodeNotReady, effect: 'NoSchedule' });
  if (ready === 'Unknown') out.push({ key: TaintNodeUnreachable, effect: 'NoSchedule' });
  for (const c of conditionTaints) {
    if ((node.status?.conditions ?? []).some((x: Obj) => x.type === c.type && x.status === c.status)) out.push({ key: c.key, effect: 'NoSchedule' });
  }
  if (node.spec?.unschedulable) out.push({ key: TaintNodeUnschedulable, effect: 'NoSchedule' });
  return out;
}

/** The NoExecute taint for a node's Ready status: not-ready for False, unreachable for Unknown, none for True. */
export function noExecuteTaint(node: Obj): Taint | undefined {
  const ready = readyStatus(node);
  if (ready === 'False') return { key: TaintNodeNotReady, effect: 'NoExecute' };
  if (ready === 'Unknown') return { key: TaintNodeUnreachable, effect: 'NoExecute' };
  return undefined;
}

/** toleration.ToleratesTaint. */
export function tolerates(tol: Toleration, taint: Taint): boolean {
  if (tol.effect && tol.effect !== taint.effect) return false;
  if (tol.key && tol.key !== taint.key) return false;
  if (!tol.key && tol.operator !== 'Exists') return false;
  if (tol.operator === 'Exists') return true;
  return (tol.value ?? '') === (taint.value ?? '');
}

/**
 * Upstream's GetMatchingTolerations + getMinTolerationTime: undefined when some taint is not
 * tolerated (evict now), -1 when all are tolerated forever, else the shortest tolerationSeconds (≥ 0).
 */
export function minTolerationSeconds(taints: Taint[], tolerations: Toleration[]): number | undefined {
  let min = -1;
  for (const taint of taints) {
    const used = tolerations.filter((t) => tolerates(t, taint));
    if (used.length === 0) return undefined;
    for (const t of used) {
      if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
      const s = Math.max(0, t.tolerationSeconds);
      if (min < 0 || s < min) min = s;
    }
  }
  return min;
}
