/**
 * @module Job helpers shared by the Job, TTL-after-finished and CronJob controllers (upstream's
 * pkg/controller/job/util and the condition helpers of job_controller.go).
 */
import type { Obj } from '../../client/client.js';
import { rfc3339 } from '../controller-utils/conditions.js';

/** The finalizer on every Job pod until the Job controller has counted it. */
export const JobTrackingFinalizer = 'batch.kubernetes.io/job-tracking';

export const JobComplete = 'Complete';
export const JobFailed = 'Failed';
export const JobSuspended = 'Suspended';
export const JobFailureTarget = 'FailureTarget';
export const JobSuccessCriteriaMet = 'SuccessCriteriaMet';

export const JobReasonBackoffLimitExceeded = 'BackoffLimitExceeded';
export const JobReasonDeadlineExceeded = 'DeadlineExceeded';
export const JobReasonCompletionsReached = 'CompletionsReached';

/** A batch/v1 JobCondition. */
export interface JobCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastProbeTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

/** newCondition: probe and transition time both `now`. */
export function newCondition(type: string, status: JobCondition['status'], reason: string, message: string, now: number): JobCondition {
  const at = rfc3339(now);
  return { type, status, lastProbeTime: at, lastTransitionTime: at, reason, message };
}

export const findCondition = (job: Obj, type: string): JobCondition | undefined =>
  (job.status?.conditions as JobCondition[] | undefined)?.find((c) => c.type === type);

/** The Complete or Failed condition that is True, if the Job has finished. */
export function finishedCondition(job: Obj): JobCondition | undefined {
  return (job.status?.conditions as JobCondition[] | undefined)?.find(
    (c) => (c.type === JobComplete || c.type === JobFailed) && c.status === 'True');
}

/** util.IsJobFinished. */
export const isJobFinished = (job: Obj): boolean => finishedCondition(job) !== undefined;

/** When the Job finished (ms): its Complete or Failed condition's transition time. */
export function jobFinishTime(job: Obj): number | undefined {
  const c = finishedCondition(job);
  return c?.lastTransitionTime ? Date.parse(c.lastTransitionTime) : undefined;
}

/**
 * ensureJobConditionStatus: sets the condition of `type` to status (with reason and message),
 * adding it only when it is not False; returns whether anything changed.
 */
export function ensureJobConditionStatus(status: Obj, type: string, s: JobCondition['status'], reason: string, message: string,
  now: number): boolean {
  const list: JobCondition[] = status.conditions ?? [];
  const cur = list.find((c) => c.type === type);
  if (cur) {
    if (cur.status === s && cur.reason === reason && cur.message === message) return false;
    const at = rfc3339(now);
    if (cur.status !== s) cur.lastTransitionTime = at;
    Object.assign(cur, { status: s, reason, message, lastProbeTime: at });
    return true;
  }
  if (s === 'False') return false;
  status.conditions = [...list, newCondition(type, s, reason, message, now)];
  return true;
}

export const hasJobTrackingFinalizer = (pod: Obj): boolean =>
  (pod.metadata?.finalizers as string[] | undefined)?.includes(JobTrackingFinalizer) ?? false;

export const jobSuspended = (job: Obj): boolean => job.spec?.suspend === true;

/** The strategic merge patch that drops the tracking finalizer (removeTrackingFinalizerPatch). */
export const removeTrackingFinalizerPatch = (pod: Obj) =>
  ({ metadata: { '$deleteFromPrimitiveList/finalizers': [JobTrackingFinalizer], uid: pod.metadata.uid } });
