/**
 * @module ReplicaSet status (upstream replica_set_utils.go): counts of active, fully labeled,
 * ready and available pods, observedGeneration, and the ReplicaFailure condition for a failed
 * create or delete. Written through the status subresource only when something changed.
 */
import type { Client, Obj, ResourceRef } from '../../client/client.js';
import { fromLabelSelector, matches } from '../../apimachinery/labels/index.js';
import { type Condition, getCondition, removeCondition, rfc3339, setCondition } from '../controller-utils/conditions.js';
import { isPodAvailable, isPodReady } from '../controller-utils/pods.js';

export const ReplicaSetReplicaFailure = 'ReplicaFailure';

/** Status fields this controller owns. */
export interface ReplicaSetStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: Condition[];
}

/** calculateStatus: the status of rs given its claimed active pods and the error of manageReplicas. */
export function calculateStatus(rs: Obj, pods: Obj[], manageErr: unknown, now: number): ReplicaSetStatus {
  const status: ReplicaSetStatus = structuredClone(rs.status ?? { replicas: 0 });
  const template = fromLabelSelector({ matchLabels: rs.spec?.template?.metadata?.labels ?? {} });
  const minReady = rs.spec?.minReadySeconds ?? 0;
  let fullyLabeled = 0, ready = 0, available = 0;
  for (const pod of pods) {
    if (matches(template, pod.metadata?.labels)) fullyLabeled++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReady, now)) available++;
    }
  }
  const failure = getCondition(rs.status?.conditions, ReplicaSetReplicaFailure);
  if (manageErr && !failure) {
    const diff = pods.length - (rs.spec?.replicas ?? 1);
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    setCondition(status, { type: ReplicaSetReplicaFailure, status: 'True', lastTransitionTime: rfc3339(now), reason,
      message: manageErr instanceof Error ? manageErr.message : String(manageErr) });
  } else if (!manageErr && failure) {
    removeCondition(status, ReplicaSetReplicaFailure);
  }
  status.replicas = pods.length;
  status.fullyLabeledReplicas = fullyLabeled;
  status.readyReplicas = ready;
  status.availableReplicas = available;
  return status;
}

/**
 * updateReplicaSetStatus: writes newStatus (with observedGeneration) unless it is the steady
 * state; on a failed write, re-reads once and retries, as upstream (statusUpdateRetries = 1).
 * Returns the ReplicaSet as written (or rs unchanged). Throws the write or re-read error.
 */
export async function updateReplicaSetStatus(client: Client, ref: ResourceRef, rs: Obj, newStatus: ReplicaSetStatus,
  fieldManager: string): Promise<Obj> {
  const cur = rs.status ?? {};
  if ((cur.replicas ?? 0) === newStatus.replicas && (cur.fullyLabeledReplicas ?? 0) === (newStatus.fullyLabeledReplicas ?? 0) &&
    (cur.readyReplicas ?? 0) === (newStatus.readyReplicas ?? 0) && (cur.availableReplicas ?? 0) === (newStatus.availableReplicas ?? 0) &&
    rs.metadata.generation === cur.observedGeneration && JSON.stringify(cur.conditions) === JSON.stringify(newStatus.conditions)) {
    return rs;
  }
  const status = { ...newStatus, observedGeneration: rs.metadata.generation };
  let target = rs;
  for (let i = 0; ; i++) {
    try {
      return await client.updateStatus(ref, { ...target, status }, { fieldManager });
    } catch (e) {
      if (i >= 1) throw e;
      target = await client.get(ref, rs.metadata.name);
    }
  }
}
