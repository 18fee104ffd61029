/**
 * @module A DaemonSet's RollingUpdate step (upstream's update.go rollingUpdate): without surge,
 * delete old pods while fewer than maxUnavailable are unavailable; with maxSurge, start new pods
 * beside old ones and delete each old pod once its replacement is available.
 */
import type { Obj } from '../../client/client.js';
import { ControllerRevisionHashLabel } from '../controller-utils/controller-history.js';
import { scaledValueFromIntOrPercent } from '../controller-utils/int-or-percent.js';
import { isPodAvailable } from '../controller-utils/pods.js';
import { nodeShouldRunDaemonPod } from './daemon-util.js';

export interface RollingUpdateInput {
  ds: Obj;
  nodes: Obj[];
  nodeToPods: Map<string, Obj[]>;
  hash: string;
  now: number;
}

/** What the step decides: old pods to delete and nodes to start a new pod on. */
export interface RollingUpdateStep { podsToDelete: string[]; nodesToCreate: string[] }

/** updatedDesiredNodeCounts: maxSurge and maxUnavailable scaled (rounding up) to the eligible nodes; never both 0. */
export function desiredNodeCounts(ds: Obj, nodes: Obj[]): { maxSurge: number; maxUnavailable: number; desired: number } {
  const desired = nodes.filter((n) => nodeShouldRunDaemonPod(n, ds)[0]).length;
  const ru = ds.spec?.updateStrategy?.rollingUpdate ?? {};
  const maxUnavailable = scaledValueFromIntOrPercent(ru.maxUnavailable ?? 1, desired, true);
  const maxSurge = scaledValueFromIntOrPercent(ru.maxSurge ?? 0, desired, true);
  return { maxSurge, maxUnavailable: maxUnavailable === 0 && maxSurge === 0 ? 1 : maxUnavailable, desired };
}

/** findUpdatedPodsOnNode: at most one new and one old live pod, else not ok (the manage loop cleans up). */
function updatedPodsOnNode(pods: Obj[], hash: string): { newPod?: Obj; oldPod?: Obj; ok: boolean } {
  let newPod: Obj | undefined, oldPod: Obj | undefined;
  for (const p of pods) {
    if (p.metadata.deletionTimestamp) continue;
    if (p.metadata.labels?.[ControllerRevisionHashLabel] === hash) {
      if (newPod) return { ok: false };
      newPod = p;
    } else {
      if (oldPod) return { ok: false };
      oldPod = p;
    }
  }
  return { newPod, oldPod, ok: true };
}

export function rollingUpdate({ ds, nodes, nodeToPods, hash, now }: RollingUpdateInput): RollingUpdateStep {
  const { maxSurge, maxUnavailable, desired } = desiredNodeCounts(ds, nodes);
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const available = (p: Obj) => isPodAvailable(p, minReady, now);
  const nodeByName = new Map(nodes.map((n) => [n.metadata.name, n]));
  if (maxSurge === 0) {
    let unavailable = 0;
    const replacements: string[] = [], candidates: string[] = [];
    for (const pods of nodeToPods.values()) {
      const { newPod, oldPod, ok } = updatedPodsOnNode(pods, hash);
      if (!ok || (!oldPod && !newPod) || (oldPod && newPod)) { unavailable++; continue; }
      if (newPod) { if (!available(newPod)) unavailable++; continue; }
      if (!available(oldPod!)) {
        replacements.push(oldPod!.metadata.name);
        unavailable++;
      } else if (unavailable < maxUnavailable) {
        candidates.push(oldPod!.metadata.name);
      }
    }
    const remaining = Math.min(Math.max(0, maxUnavailable - unavailable), candidates.length);
    return { podsToDelete: [...replacements, ...candidates.slice(0, remaining)], nodesToCreate: [] };
  }
  const toDelete: string[] = [], shouldNotRun: string[] = [], candidateNodes: string[] = [], allowedNodes: string[] = [];
  let surge = 0, numAvailable = 0;
  for (const [nodeName, pods] of nodeToPods) {
    const { newPod, oldPod, ok } = updatedPodsOnNode(pods, hash);
    if (!ok) { surge++; continue; }
    if (oldPod ? available(oldPod) : newPod && available(newPod)) numAvailable++;
    if (!oldPod) continue;
    const node = nodeByName.get(nodeName);
    const shouldRun = node ? nodeShouldRunDaemonPod(node, ds)[0] : false;
    if (!newPod) {
      if (!available(oldPod)) {
        if (!shouldRun) toDelete.push(oldPod.metadata.name);
        else allowedNodes.push(nodeName);
      } else if (!shouldRun) {
        shouldNotRun.push(oldPod.metadata.name);
      } else if (surge < maxSurge) {
        candidateNodes.push(nodeName);
      }
      continue;
    }
    if (!available(newPod)) { surge++; continue; }
    toDelete.push(oldPod.metadata.name);
  }
  // With surge users expect full availability: pods on nodes that no longer qualify go only as others become available.
  const deletable = Math.min(Math.max(0, numAvailable - desired), shouldNotRun.length);
  toDelete.push(...shouldNotRun.slice(0, deletable));
  const remaining = Math.min(Math.max(0, maxSurge - surge), candidateNodes.length);
  return { podsToDelete: toDelete, nodesToCreate: [...allowedNodes, ...candidateNodes.slice(0, remaining)] };
}
