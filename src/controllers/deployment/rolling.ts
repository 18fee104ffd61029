/**
 * @module The RollingUpdate strategy (upstream rolling.go): scale the new ReplicaSet up within
 * maxSurge, then old ones down within maxUnavailable — unhealthy old replicas first.
 */
import type { Obj } from '../../client/client.js';
import { syncRolloutStatus } from './progress.js';
import type { DeploymentSync } from './sync.js';
import {
  availableReplicaCount, byCreation, deploymentComplete, filterActive, maxUnavailable, newRSNewReplicas, replicaCount, replicasOf,
} from './util.js';

export async function rolloutRolling(s: DeploymentSync, d: Obj, rsList: Obj[]): Promise<void> {
  const [newRS, oldRSs] = await s.getAllReplicaSetsAndSyncRevision(d, rsList, true);
  const allRSs = [...oldRSs, newRS!];
  if (await reconcileNewReplicaSet(s, allRSs, newRS!, d)) return syncRolloutStatus(s, allRSs, newRS, d);
  if (await reconcileOldReplicaSets(s, allRSs, filterActive(oldRSs), newRS!, d)) return syncRolloutStatus(s, allRSs, newRS, d);
  if (deploymentComplete(d, d.status ?? {})) await s.cleanupDeployment(oldRSs, d);
  return syncRolloutStatus(s, allRSs, newRS, d);
}

async function reconcileNewReplicaSet(s: DeploymentSync, allRSs: Obj[], newRS: Obj, d: Obj): Promise<boolean> {
  if (replicasOf(newRS) === replicasOf(d)) return false;
  if (replicasOf(newRS) > replicasOf(d)) return (await s.scaleReplicaSetAndRecordEvent(newRS, replicasOf(d), d))[0];
  return (await s.scaleReplicaSetAndRecordEvent(newRS, newRSNewReplicas(d, allRSs, newRS), d))[0];
}

/**
 * reconcileOldReplicaSets: scale down at most allPods − minAvailable − unavailable new pods, so
 * that the available count never drops below spec.replicas − maxUnavailable.
 */
async function reconcileOldReplicaSets(s: DeploymentSync, allRSs: Obj[], oldRSs: Obj[], newRS: Obj, d: Obj): Promise<boolean> {
  if (replicaCount(oldRSs) === 0) return false;
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const newUnavailable = replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = replicaCount(allRSs) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;
  let cleaned: [Obj[], number];
  try {
    cleaned = await cleanupUnhealthyReplicas(s, oldRSs, d, maxScaledDown);
  } catch {
    return false;
  }
  let scaledDown = 0;
  try {
    scaledDown = await scaleDownOldReplicaSetsForRollingUpdate(s, [...cleaned[0], newRS], cleaned[0], d);
  } catch {
    return false;
  }
  return cleaned[1] + scaledDown > 0;
}

/** cleanupUnhealthyReplicas: old replicas that are not available go first (they cost no availability). */
async function cleanupUnhealthyReplicas(s: DeploymentSync, oldRSs: Obj[], d: Obj, maxCleanup: number): Promise<[Obj[], number]> {
  const sorted = [...oldRSs].sort(byCreation);
  let total = 0;
  for (const [i, rs] of sorted.entries()) {
    if (total >= maxCleanup) break;
    const replicas = replicasOf(rs);
    const available = rs.status?.availableReplicas ?? 0;
    if (replicas === 0 || replicas === available) continue;
    const count = Math.min(maxCleanup - total, replicas - available);
    sorted[i] = (await s.scaleReplicaSetAndRecordEvent(rs, replicas - count, d))[1];
    total += count;
  }
  return [sorted, total];
}

/** scaleDownOldReplicaSetsForRollingUpdate: down by what is available beyond minAvailable, oldest first. */
async function scaleDownOldReplicaSetsForRollingUpdate(s: DeploymentSync, allRSs: Obj[], oldRSs: Obj[], d: Obj): Promise<number> {
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const available = availableReplicaCount(allRSs);
  if (available <= minAvailable) return 0;
  const target = available - minAvailable;
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreation)) {
    if (total >= target) break;
    if (replicasOf(rs) === 0) continue;
    const count = Math.min(replicasOf(rs), target - total);
    await s.scaleReplicaSetAndRecordEvent(rs, replicasOf(rs) - count, d);
    total += count;
  }
  return total;
}
