/**
 * @module DaemonSet pod helpers (upstream's daemon/util and NodeShouldRunDaemonPod): the automatic
 * tolerations, the node-name affinity that pins a daemon pod, and whether a node should run one.
 */
import type { Obj } from '../../client/client.js';
import { findUntoleratedTaint } from '../../scheduler/util/taints.js';
import { requiredNodeAffinity } from '../../scheduler/util/node-affinity.js';

/** AddOrUpdateDaemonPodTolerations: daemon pods survive node problems and run on unschedulable nodes. */
export function addDaemonPodTolerations(spec: Obj): void {
  const add = (key: string, effect: string) => addOrUpdateToleration(spec, { key, operator: 'Exists', effect });
  add('node.kubernetes.io/not-ready', 'NoExecute');
  add('node.kubernetes.io/unreachable', 'NoExecute');
  add('node.kubernetes.io/disk-pressure', 'NoSchedule');
  add('node.kubernetes.io/memory-pressure', 'NoSchedule');
  add('node.kubernetes.io/pid-pressure', 'NoSchedule');
  add('node.kubernetes.io/unschedulable', 'NoSchedule');
  if (spec.hostNetwork) add('node.kubernetes.io/network-unavailable', 'NoSchedule');
}

/** AddOrUpdateTolerationInPodSpec: replaces a toleration with the same key, operator, value and effect, else appends. */
function addOrUpdateToleration(spec: Obj, t: Obj): void {
  const same = (x: Obj) => (x.key ?? '') === t.key && (x.operator ?? '') === t.operator && (x.value ?? '') === (t.value ?? '') &&
    (x.effect ?? '') === t.effect;
  const list: Obj[] = spec.tolerations ?? [];
  const i = list.findIndex(same);
  spec.tolerations = i >= 0 ? list.map((x, j) => (j === i ? t : x)) : [...list, t];
}

/** ReplaceDaemonSetPodNodeNameNodeAffinity: the required node affinity becomes `metadata.name In [node]`. */
export function pinToNode(spec: Obj, nodeName: string): void {
  const term = { matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] };
  const affinity = (spec.affinity ??= {});
  const nodeAffinity = (affinity.nodeAffinity ??= {});
  nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = { nodeSelectorTerms: [term] };
}

/** GetTargetNodeName: spec.nodeName, or the node a pending daemon pod is pinned to. */
export function targetNodeName(pod: Obj): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  for (const t of pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const f of t.matchFields ?? []) {
      if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
    }
  }
  return undefined;
}

/**
 * NodeShouldRunDaemonPod: [shouldRun, shouldContinueRunning]. A node must match the template's
 * nodeName, nodeSelector and required node affinity; untolerated NoSchedule/NoExecute taints keep
 * new pods off, and only untolerated NoExecute taints evict running ones.
 */
export function nodeShouldRunDaemonPod(node: Obj, ds: Obj): [boolean, boolean] {
  const spec = structuredClone(ds.spec?.template?.spec ?? {});
  if (spec.nodeName && spec.nodeName !== node.metadata.name) return [false, false];
  addDaemonPodTolerations(spec);
  if (!requiredNodeAffinity({ spec } as never)(node.metadata?.labels ?? {}, node.metadata.name)) return [false, false];
  const taints: Obj[] = node.spec?.taints ?? [];
  const tolerations = spec.tolerations ?? [];
  const blocking = findUntoleratedTaint(taints as never[], tolerations, (t: Obj) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');
  if (!blocking) return [true, true];
  const evicting = findUntoleratedTaint(taints as never[], tolerations, (t: Obj) => t.effect === 'NoExecute');
  return [false, !evicting];
}

/** podByCreationTimestampAndPhase: scheduled pods first, then oldest first, then by name. */
export function byCreationTimestampAndPhase(a: Obj, b: Obj): number {
  const sa = !!a.spec?.nodeName, sb = !!b.spec?.nodeName;
  if (sa !== sb) return sa ? -1 : 1;
  return Date.parse(a.metadata?.creationTimestamp ?? '0') - Date.parse(b.metadata?.creationTimestamp ?? '0') ||
    (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0);
}
