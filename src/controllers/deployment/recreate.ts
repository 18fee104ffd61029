/**
 * @module The Recreate strategy (upstream recreate.go): scale every old ReplicaSet to 0, wait
 * until none of their pods exist (terminating ones included), then create and scale up the new one.
 */
import type { Obj } from '../../client/client.js';
import { syncRolloutStatus } from './progress.js';
import type { DeploymentSync } from './sync.js';
import { actualReplicaCount, deploymentComplete, filterActive, replicasOf } from './util.js';

/** podsByRS: the Deployment's pods grouped by the uid of the ReplicaSet that controls them. */
export async function rolloutRecreate(s: DeploymentSync, d: Obj, rsList: Obj[], podsByRS: Map<string, Obj[]>): Promise<void> {
  let [newRS, oldRSs] = await s.getAllReplicaSetsAndSyncRevision(d, rsList, false);
  let allRSs = [...oldRSs, newRS];
  let scaledDown = false;
  for (const rs of filterActive(oldRSs)) {
    if ((await s.scaleReplicaSetAndRecordEvent(rs, 0, d))[0]) scaledDown = true;
  }
  if (scaledDown) return syncRolloutStatus(s, allRSs, newRS, d);
  if (oldPodsRunning(newRS, oldRSs, podsByRS)) return syncRolloutStatus(s, allRSs, newRS, d);
  if (!newRS) {
    [newRS, oldRSs] = await s.getAllReplicaSetsAndSyncRevision(d, rsList, true);
    allRSs = [...oldRSs, newRS];
  }
  await s.scaleReplicaSetAndRecordEvent(newRS!, replicasOf(d), d);
  if (deploymentComplete(d, d.status ?? {})) await s.cleanupDeployment(oldRSs, d);
  return syncRolloutStatus(s, allRSs, newRS, d);
}

/** oldPodsRunning: any old ReplicaSet still reports pods, or any non-terminal pod of theirs exists. */
export function oldPodsRunning(newRS: Obj | undefined, oldRSs: Obj[], podsByRS: Map<string, Obj[]>): boolean {
  if (actualReplicaCount(oldRSs) > 0) return true;
  for (const [uid, pods] of podsByRS) {
    if (newRS && newRS.metadata.uid === uid) continue;
    if (pods.some((p) => p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded')) return true;
  }
  return false;
}
