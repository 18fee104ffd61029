/**
 * @module Pod failure backoff of a Job (upstream's backoff_utils.go): failures since the last
 * success delay the next pod by 10 s, doubling per failure up to 10 min.
 */
import type { Obj } from '../../client/client.js';

/** DefaultJobPodFailureBackOff. */
export const DefaultJobPodFailureBackOffMs = 10_000;
/** MaxJobPodFailureBackOff. */
export const MaxJobPodFailureBackOffMs = 10 * 60_000;

/** Failures since the last success and when the last one happened (ms). */
export interface BackoffRecord { failuresAfterLastSuccess: number; lastFailureTime?: number }

/** getFinishedTime: the latest container finish time, else the Ready condition's transition, else creation. */
export function podFinishedTime(pod: Obj): number {
  let latest: number | undefined;
  for (const c of [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])] as Obj[]) {
    const t = c.state?.terminated?.finishedAt;
    if (t && (latest === undefined || Date.parse(t) > latest)) latest = Date.parse(t);
  }
  if (latest !== undefined) return latest;
  const ready = (pod.status?.conditions ?? []).find((c: Obj) => c.type === 'Ready' && c.status === 'False');
  if (ready?.lastTransitionTime) return Date.parse(ready.lastTransitionTime);
  return Date.parse(pod.metadata?.deletionTimestamp ?? pod.metadata?.creationTimestamp ?? '0') || 0;
}

/** newBackoffRecord: the record after these newly finished pods. */
export function nextBackoffRecord(prev: BackoffRecord | undefined, newSucceeded: Obj[], newFailed: Obj[]): BackoffRecord {
  const rec: BackoffRecord = { ...(prev ?? { failuresAfterLastSuccess: 0 }) };
  const failed = newFailed.map(podFinishedTime).sort((a, b) => a - b);
  if (newSucceeded.length === 0) {
    if (failed.length === 0) return rec;
    return { failuresAfterLastSuccess: rec.failuresAfterLastSuccess + failed.length, lastFailureTime: failed[failed.length - 1] };
  }
  const lastSuccess = Math.max(...newSucceeded.map(podFinishedTime));
  const after = failed.filter((t) => t > lastSuccess);
  return after.length ? { failuresAfterLastSuccess: after.length, lastFailureTime: after[after.length - 1] } : { failuresAfterLastSuccess: 0 };
}

/** getRemainingTime: how long (ms) pod creation must still wait at `now`; 0 when it need not. */
export function remainingBackoffMs(rec: BackoffRecord, now: number): number {
  if (rec.failuresAfterLastSuccess === 0 || rec.lastFailureTime === undefined) return 0;
  let d = DefaultJobPodFailureBackOffMs;
  for (let i = 1; i < rec.failuresAfterLastSuccess; i++) {
    d *= 2;
    if (d >= MaxJobPodFailureBackOffMs) { d = MaxJobPodFailureBackOffMs; break; }
  }
  const elapsed = now - rec.lastFailureTime;
  return d < elapsed ? 0 : d - elapsed;
}
