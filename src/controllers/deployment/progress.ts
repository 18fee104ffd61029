/**
 * @module Rollout progress (upstream progress.go): the Progressing condition (complete,
 * progressing, or ProgressDeadlineExceeded), ReplicaFailure promoted from ReplicaSets, and a
 * re-check scheduled for when the deadline would pass. A timeout may trigger auto-rollback.
 */
import type { Obj } from '../../client/client.js';
import { type Condition, getCondition, removeCondition, setCondition } from '../controller-utils/conditions.js';
import { autoRollback } from './auto-rollback.js';
import { calculateStatus, type DeploymentSync, newCondition, statusEqual } from './sync.js';
import {
  deploymentComplete, deploymentProgressing, DeploymentProgressing, DeploymentReplicaFailure, type DeploymentStatus,
  deploymentTimedOut, hasProgressDeadline, NewRSAvailableReason, ReplicaSetUpdatedReason, TimedOutReason,
} from './util.js';

export async function syncRolloutStatus(s: DeploymentSync, allRSs: (Obj | undefined)[], newRS: Obj | undefined, d: Obj): Promise<void> {
  const now = s.deps.now();
  const status = calculateStatus(allRSs, newRS, d, now);
  if (!hasProgressDeadline(d)) removeCondition(status, DeploymentProgressing);
  const current = getCondition(d.status?.conditions, DeploymentProgressing);
  const isComplete = status.replicas === status.updatedReplicas && current?.reason === NewRSAvailableReason;
  let timedOutNow = false;
  if (hasProgressDeadline(d) && !isComplete) {
    const subject = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
    if (deploymentComplete(d, status)) {
      setCondition(status, newCondition(now, DeploymentProgressing, 'True', NewRSAvailableReason, `${subject} has successfully progressed.`));
    } else if (deploymentProgressing(d, status)) {
      // Progress refreshes lastUpdateTime even when the reason stays the same.
      const cond = newCondition(now, DeploymentProgressing, 'True', ReplicaSetUpdatedReason, `${subject} is progressing.`);
      if (current) {
        if (current.status === 'True') cond.lastTransitionTime = current.lastTransitionTime;
        removeCondition(status, DeploymentProgressing);
      }
      setCondition(status, cond);
    } else if (deploymentTimedOut(d, status, now)) {
      timedOutNow = current?.reason !== TimedOutReason;
      setCondition(status, newCondition(now, DeploymentProgressing, 'False', TimedOutReason, `${subject} has timed out progressing.`));
    }
  }
  const failures = replicaFailures(allRSs, newRS);
  if (failures.length) setCondition(status, failures[0]!);
  else removeCondition(status, DeploymentReplicaFailure);

  if (statusEqual(d.status, status)) {
    requeueStuckDeployment(s, d, status);
    return;
  }
  d.status = status;
  await s.updateStatus(d);
  if (timedOutNow) await autoRollback(s, d, allRSs, newRS);
}

/** getReplicaFailures: ReplicaFailure conditions of the new ReplicaSet, else of the others. */
function replicaFailures(allRSs: (Obj | undefined)[], newRS: Obj | undefined): Condition[] {
  const of = (rs: Obj | undefined): Condition[] => ((rs?.status?.conditions ?? []) as Condition[])
    .filter((c) => c.type === DeploymentReplicaFailure)
    .map((c) => ({ type: c.type, status: c.status, lastUpdateTime: c.lastTransitionTime, lastTransitionTime: c.lastTransitionTime,
      reason: c.reason, message: c.message }));
  const fromNew = of(newRS);
  return fromNew.length ? fromNew : allRSs.flatMap(of);
}

/** requeueStuckDeployment: check again when the deadline would pass (soon, when under a second). */
function requeueStuckDeployment(s: DeploymentSync, d: Obj, status: DeploymentStatus): void {
  const current = getCondition(d.status?.conditions, DeploymentProgressing);
  if (!hasProgressDeadline(d) || !current) return;
  if (deploymentComplete(d, status) || current.reason === TimedOutReason) return;
  const after = Date.parse(current.lastUpdateTime ?? '') + d.spec.progressDeadlineSeconds * 1000 - s.deps.now();
  s.deps.requeue(d, after < 1000 ? 0 : after + 1000);
}
