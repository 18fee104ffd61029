/**
 * @module syncJob of upstream's Job controller (1.32, finalizer-based tracking): counts finished
 * pods through status.uncountedTerminatedPods and the job-tracking finalizer, creates and deletes
 * pods toward parallelism and completions, and decides Complete, Failed and Suspended.
 */
import { isNotFound } from '../../apimachinery/errors.js';
import type { Client, Obj } from '../../client/client.js';
import { keyOf } from '../../client/informer.js';
import { ref } from '../../client/kind-ref.js';
import type { EventSink } from '../context.js';
import { compareActivePodsWithRanks } from '../controller-utils/active-pods.js';
import { rfc3339 } from '../controller-utils/conditions.js';
import { newControllerRef } from '../controller-utils/controller-ref.js';
import type { ControllerExpectations } from '../controller-utils/expectations.js';
import { FailedCreatePodReason, PodControl, podFromTemplate, SuccessfulCreatePodReason } from '../controller-utils/pod-template.js';
import { isPodReady } from '../controller-utils/pods.js';
import { slowStartBatch } from '../replicaset/slow-start.js';
import { type BackoffRecord, nextBackoffRecord, remainingBackoffMs } from './backoff.js';
import type { FinalizerExpectations } from './finalizer-expectations.js';
import {
  addCompletionIndexEnv, completionIndex, firstPendingIndexes, formatIndexes, isIndexedJob, JobCompletionIndexAnnotation,
  parseIndexes, podGenerateNameWithIndex,
} from './indexed.js';
import {
  ensureJobConditionStatus, findCondition, hasJobTrackingFinalizer, type JobCondition, JobComplete, JobFailed, JobFailureTarget,
  JobReasonBackoffLimitExceeded, JobReasonCompletionsReached, JobReasonDeadlineExceeded, JobSuccessCriteriaMet, JobSuspended,
  jobSuspended, JobTrackingFinalizer, newCondition, removeTrackingFinalizerPatch,
} from './job-util.js';

/** MaxUncountedPods: at most this many pods are counted (finalizers removed) per sync. */
export const MaxUncountedPods = 500;
/** MaxPodCreateDeletePerSync. */
export const MaxPodCreateDeletePerSync = 500;
export const FieldManager = 'kube-controller-manager';

/** What a sync needs from the controller around it. */
export interface JobSyncDeps {
  client: Client;
  events: EventSink;
  podControl: PodControl;
  now(): number;
  expectations: ControllerExpectations;
  finalizerExpectations: FinalizerExpectations;
  /** Pod failure backoff per Job key; written after the status recording new failures is saved. */
  backoff: Map<string, BackoffRecord>;
}

interface SyncCtx {
  key: string;
  job: Obj;
  pods: Obj[];
  activePods: Obj[];
  ready: number;
  terminating: number;
  succeeded: number;
  failed: number;
  uncountedSucceeded: Set<string>;
  uncountedFailed: Set<string>;
  expectedRm: ReadonlySet<string>;
  finished?: JobCondition;
  newBackoff: BackoffRecord;
  prevSucceededIndexes: number[];
  succeededIndexes: number[];
  /** The earliest time (ms from now) the Job must be looked at again. */
  requeueAfterMs?: number;
}

const completionsOf = (job: Obj): number | undefined => job.spec?.completions ?? undefined;

/** syncJob for a Job from the cache and its claimed pods; returns when to sync again, throws to retry. */
export async function syncJob(d: JobSyncDeps, key: string, shared: Obj, pods: Obj[], satisfiedExpectations: boolean):
  Promise<number | undefined> {
  const now = d.now();
  const job = structuredClone(shared);
  const status = (job.status ??= {});
  status.uncountedTerminatedPods ??= {};
  const activePods = pods.filter(isActive);
  const sc: SyncCtx = {
    key, job, pods, activePods,
    ready: activePods.filter(isPodReady).length,
    terminating: pods.filter(isTerminating).length,
    succeeded: 0, failed: 0,
    uncountedSucceeded: new Set(status.uncountedTerminatedPods.succeeded ?? []),
    uncountedFailed: new Set(status.uncountedTerminatedPods.failed ?? []),
    expectedRm: new Set(d.finalizerExpectations.expected(key)),
    newBackoff: { failuresAfterLastSuccess: 0 },
    prevSucceededIndexes: [], succeededIndexes: [],
  };
  let active = activePods.length;
  const newSucceeded = validNewPods(sc, sc.uncountedSucceeded, (p) => p.status?.phase === 'Succeeded');
  const newFailed = validNewPods(sc, sc.uncountedFailed, (p) => isPodFailed(p, job));
  sc.succeeded = (status.succeeded ?? 0) + newSucceeded.length + sc.uncountedSucceeded.size;
  sc.failed = (status.failed ?? 0) + newFailed.length + sc.uncountedFailed.size;
  if (!status.startTime && !jobSuspended(job)) status.startTime = rfc3339(now);
  sc.newBackoff = nextBackoffRecord(d.backoff.get(key), newSucceeded, newFailed);

  const criteriaMet = findCondition(job, JobSuccessCriteriaMet);
  if (criteriaMet?.status === 'True') {
    sc.finished = { type: JobComplete, status: 'True', reason: criteriaMet.reason, message: criteriaMet.message };
  } else {
    const target = findCondition(job, JobFailureTarget);
    if (target?.status === 'True') {
      sc.finished = newCondition(JobFailed, 'True', target.reason ?? '', target.message ?? '', now);
    } else if (sc.failed > (job.spec?.backoffLimit ?? 6) || pastBackoffLimitOnFailure(job, pods)) {
      sc.finished = newCondition(JobFailureTarget, 'True', JobReasonBackoffLimitExceeded, 'Job has reached the specified backoff limit', now);
    } else if (pastActiveDeadline(job, now)) {
      sc.finished = newCondition(JobFailureTarget, 'True', JobReasonDeadlineExceeded, 'Job was active longer than specified deadline', now);
    } else if (job.spec?.activeDeadlineSeconds != null && !jobSuspended(job)) {
      requeue(sc, job.spec.activeDeadlineSeconds * 1000 - (now - Date.parse(status.startTime)));
    }
  }
  if (isIndexedJob(job)) {
    const completions = completionsOf(job) ?? 0;
    sc.prevSucceededIndexes = parseIndexes(status.completedIndexes, completions);
    const all = new Set(sc.prevSucceededIndexes);
    for (const p of pods) {
      const ix = completionIndex(p);
      if (p.status?.phase === 'Succeeded' && ix >= 0 && ix < completions && hasJobTrackingFinalizer(p)) all.add(ix);
    }
    sc.succeededIndexes = [...all].sort((a, b) => a - b);
    sc.succeeded = sc.succeededIndexes.length;
  }

  let suspendChanged = false;
  let manageErr: unknown;
  if (sc.finished) {
    const r = await deleteActivePods(d, job, activePods);
    if (r.deleted !== active || !satisfiedExpectations) sc.finished = undefined;
    active -= r.deleted;
    sc.terminating += r.deleted;
    sc.ready -= r.deletedReady;
    manageErr = r.error;
  } else {
    let manageCalled = false;
    if (satisfiedExpectations && !job.metadata.deletionTimestamp) {
      const r = await manageJob(d, sc);
      active = r.active;
      manageErr = r.error;
      manageCalled = true;
    }
    const completions = completionsOf(job);
    const complete = completions === undefined ? sc.succeeded > 0 && active === 0 : sc.succeeded >= completions && active === 0;
    if (complete) {
      sc.finished = newCondition(JobSuccessCriteriaMet, 'True', JobReasonCompletionsReached, 'Reached expected number of succeeded pods', now);
    } else if (manageCalled) {
      if (jobSuspended(job)) {
        if (ensureJobConditionStatus(status, JobSuspended, 'True', 'JobSuspended', 'Job suspended', now)) {
          suspendChanged = true;
          d.events.event(job, 'Normal', 'Suspended', 'Job suspended');
        }
      } else if (ensureJobConditionStatus(status, JobSuspended, 'False', 'JobResumed', 'Job resumed', now)) {
        suspendChanged = true;
        d.events.event(job, 'Normal', 'Resumed', 'Job resumed');
        // activeDeadlineSeconds counts continuous activity: a resumed Job starts afresh.
        status.startTime = rfc3339(now);
      }
    }
  }
  const needsUpdate = suspendChanged || active !== (status.active ?? 0) || sc.ready !== status.ready || sc.terminating !== status.terminating;
  status.active = active;
  status.ready = sc.ready;
  status.terminating = sc.terminating;
  await trackJobStatusAndRemoveFinalizers(d, sc, needsUpdate);
  if (manageErr) throw manageErr;
  return sc.requeueAfterMs;
}

function requeue(sc: SyncCtx, ms: number): void {
  const after = Math.max(0, ms);
  if (sc.requeueAfterMs === undefined || after < sc.requeueAfterMs) sc.requeueAfterMs = after;
}

/** controller.IsPodActive. */
const isActive = (p: Obj) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed' && !p.metadata?.deletionTimestamp;
/** controller.CountTerminatingPods' predicate. */
const isTerminating = (p: Obj) => !!p.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';

/**
 * isPodFailed: phase Failed; or, unless only failed pods are replaced (podReplacementPolicy
 * Failed), deleted before succeeding — orphaned pods never reach the Failed phase.
 */
export function isPodFailed(p: Obj, job: Obj): boolean {
  if (p.status?.phase === 'Failed') return true;
  if (job.spec?.podFailurePolicy || job.spec?.podReplacementPolicy === 'Failed') return false;
  return !!p.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded';
}

/** getValidPodsWithFilter: finished pods not counted yet (tracking finalizer, not uncounted, valid index). */
function validNewPods(sc: SyncCtx, uncounted: Set<string>, filter: (p: Obj) => boolean): Obj[] {
  const completions = completionsOf(sc.job) ?? 0;
  return sc.pods.filter((p) => {
    const uid = p.metadata.uid;
    if (!hasJobTrackingFinalizer(p) || uncounted.has(uid) || sc.expectedRm.has(uid)) return false;
    if (isIndexedJob(sc.job)) {
      const ix = completionIndex(p);
      if (ix < 0 || ix >= completions) return false;
    }
    return filter(p);
  });
}

/** pastBackoffLimitOnFailure: with restartPolicy OnFailure, container restarts of running pods count against backoffLimit. */
export function pastBackoffLimitOnFailure(job: Obj, pods: Obj[]): boolean {
  if (job.spec?.template?.spec?.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const p of pods) {
    if (p.status?.phase !== 'Running' && p.status?.phase !== 'Pending') continue;
    for (const c of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) restarts += c.restartCount ?? 0;
  }
  const limit = job.spec?.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

/** pastActiveDeadline: active (not suspended) for activeDeadlineSeconds or longer. */
export function pastActiveDeadline(job: Obj, now: number): boolean {
  const ads = job.spec?.activeDeadlineSeconds;
  if (ads == null || !job.status?.startTime || jobSuspended(job)) return false;
  return now - Date.parse(job.status.startTime) >= ads * 1000;
}

/** manageJob: deletes (suspended or too many) or creates (too few) pods; returns the active count after it. */
async function manageJob(d: JobSyncDeps, sc: SyncCtx): Promise<{ active: number; error?: unknown }> {
  const job = sc.job;
  let active = sc.activePods.length;
  const parallelism = job.spec?.parallelism ?? 1;
  if (jobSuspended(job)) {
    const r = await deleteJobPods(d, sc, activePodsForRemoval(job, sc.activePods, active, d.now()));
    return { active: active - r.deleted, error: r.error };
  }
  const completions = completionsOf(job);
  let wantActive: number;
  if (completions === undefined) wantActive = sc.succeeded > 0 ? active : parallelism;
  else wantActive = Math.max(0, Math.min(completions - sc.succeeded, parallelism));
  const rmAtLeast = Math.max(0, active - wantActive);
  const toDelete = activePodsForRemoval(job, sc.activePods, rmAtLeast, d.now()).slice(0, MaxPodCreateDeletePerSync);
  if (toDelete.length) {
    // Deleting takes precedence: a sync either deletes or creates, never both.
    const r = await deleteJobPods(d, sc, toDelete);
    return { active: active - r.deleted, error: r.error };
  }
  const terminating = job.spec?.podReplacementPolicy === 'Failed' ? sc.terminating : 0;
  let diff = wantActive - terminating - active;
  if (diff <= 0) return { active };
  const wait = remainingBackoffMs(sc.newBackoff, d.now());
  if (wait > 0) {
    requeue(sc, wait);
    return { active: 0 };
  }
  diff = Math.min(diff, MaxPodCreateDeletePerSync);
  let indexes: number[] = [];
  if (isIndexedJob(job)) {
    indexes = firstPendingIndexes(sc.activePods, new Set(sc.succeededIndexes), diff, completions ?? 0);
    diff = indexes.length;
  }
  d.expectations.expectCreations(sc.key, diff);
  active += diff;
  const template = structuredClone(job.spec.template);
  if (isIndexedJob(job)) addCompletionIndexEnv(template.spec ??= {});
  const meta = (template.metadata ??= {});
  if (!(meta.finalizers ?? []).includes(JobTrackingFinalizer)) meta.finalizers = [...(meta.finalizers ?? []), JobTrackingFinalizer];
  const { successes, error } = await slowStartBatch(diff, 1, () => createPod(d, job, template, indexes.shift()));
  // Creates that failed or were never tried will not be observed.
  for (let i = successes; i < diff; i++) d.expectations.creationObserved(sc.key);
  return { active: active - (diff - successes), error };
}

/** Creates one pod from the template (with its completion index, when indexed), recording upstream's events. */
async function createPod(d: JobSyncDeps, job: Obj, template: Obj, index: number | undefined): Promise<void> {
  const cref = newControllerRef(job, 'batch/v1', 'Job');
  let t = template;
  if (index !== undefined) {
    t = structuredClone(template);
    t.metadata.annotations = { ...t.metadata.annotations, [JobCompletionIndexAnnotation]: String(index) };
    t.metadata.labels = { ...t.metadata.labels, [JobCompletionIndexAnnotation]: String(index) };
    t.spec.hostname = `${job.metadata.name}-${index}`;
  }
  const pod = podFromTemplate(t, job.metadata.name, cref);
  if (index !== undefined) pod.metadata.generateName = podGenerateNameWithIndex(job.metadata.name, index);
  try {
    const created = await d.client.create(ref('Pod', job.metadata.namespace), pod, { fieldManager: FieldManager });
    d.events.event(job, 'Normal', SuccessfulCreatePodReason, `Created pod: ${created.metadata.name}`);
  } catch (e) {
    d.events.event(job, 'Warning', FailedCreatePodReason, `Error creating: ${(e as Error).message}`);
    throw e;
  }
}

/**
 * activePodsForRemoval: for indexed Jobs, pods with an invalid or duplicate index first; then the
 * least valuable active pods (ActivePods order) until at least rmAtLeast are chosen.
 */
function activePodsForRemoval(job: Obj, pods: Obj[], rmAtLeast: number, now: number): Obj[] {
  let rm: Obj[] = [];
  let left = pods;
  if (isIndexedJob(job)) {
    const completions = completionsOf(job) ?? 0;
    const byIndex = new Map<number, Obj[]>();
    rm = [];
    for (const p of pods) {
      const ix = completionIndex(p);
      if (ix < 0 || ix >= completions) rm.push(p);
      else byIndex.set(ix, [...(byIndex.get(ix) ?? []), p]);
    }
    left = [];
    for (const same of byIndex.values()) {
      // Keep the most valuable pod of each index.
      const sorted = [...same].sort((a, b) => compareActivePodsWithRanks({ pod: a, rank: 0 }, { pod: b, rank: 0 }, now));
      rm.push(...sorted.slice(0, -1));
      left.push(sorted[sorted.length - 1]!);
    }
  }
  if (rm.length < rmAtLeast) {
    const sorted = [...left].sort((a, b) => compareActivePodsWithRanks({ pod: a, rank: 0 }, { pod: b, rank: 0 }, now));
    rm.push(...sorted.slice(0, rmAtLeast - rm.length));
  }
  return rm;
}

/** deleteJobPods: removes the tracking finalizer (these pods are not failures), then deletes. */
async function deleteJobPods(d: JobSyncDeps, sc: SyncCtx, pods: Obj[]): Promise<{ deleted: number; error?: unknown }> {
  d.expectations.expectDeletions(sc.key, pods.map(keyOf));
  let deleted = 0, error: unknown;
  await Promise.all(pods.map(async (pod) => {
    try {
      if (hasJobTrackingFinalizer(pod)) {
        await d.client.patch(ref('Pod', pod.metadata.namespace), pod.metadata.name, 'strategic', removeTrackingFinalizerPatch(pod),
          { fieldManager: FieldManager });
      }
      await d.podControl.deletePod(sc.job.metadata.namespace, pod.metadata.name, sc.job);
      deleted++;
      if (isPodReady(pod)) sc.ready--;
      sc.terminating++;
    } catch (e) {
      // The informer will not observe this deletion.
      d.expectations.deletionObserved(sc.key, keyOf(pod));
      if (!isNotFound(e)) error ??= e;
    }
  }));
  return { deleted, error };
}

/** deleteActivePods: deletes every active pod of a finishing Job, keeping finalizers (they are counted as failed). */
async function deleteActivePods(d: JobSyncDeps, job: Obj, pods: Obj[]): Promise<{ deleted: number; deletedReady: number; error?: unknown }> {
  let deleted = pods.length, deletedReady = 0, error: unknown;
  await Promise.all(pods.map(async (pod) => {
    try {
      await d.podControl.deletePod(job.metadata.namespace, pod.metadata.name, job);
    } catch (e) {
      if (!isNotFound(e)) { deleted--; error ??= e; }
    }
    if (isPodReady(pod)) deletedReady++;
  }));
  return { deleted, deletedReady, error };
}

/**
 * trackJobStatusAndRemoveFinalizers: records finished pods in uncountedTerminatedPods, removes
 * their finalizers, moves them into the counters, and enacts the finished condition once nothing
 * is left uncounted or terminating.
 */
async function trackJobStatusAndRemoveFinalizers(d: JobSyncDeps, sc: SyncCtx, needsFlush: boolean): Promise<void> {
  const job = sc.job;
  const indexed = isIndexedJob(job);
  const completions = completionsOf(job) ?? 0;
  const uncounted = job.status.uncountedTerminatedPods;
  uncounted.succeeded ??= [];
  uncounted.failed ??= [];
  const pods = indexed ? [...sc.pods].sort((a, b) => completionIndex(a) - completionIndex(b)) : sc.pods;
  const withFinalizer = new Set(pods.filter((p) => hasJobTrackingFinalizer(p) && !sc.expectedRm.has(p.metadata.uid)).map((p) => p.metadata.uid));
  if (cleanUncounted(job.status, withFinalizer)) needsFlush = true;
  const toRemove: Obj[] = [];
  const newSucceededIndexes: number[] = [];
  let reachedMax = false;
  for (const pod of pods) {
    const uid = pod.metadata.uid;
    if (!hasJobTrackingFinalizer(pod) || sc.expectedRm.has(uid)) continue;
    const failed = isPodFailed(pod, job);
    const canRemove = !!job.metadata.deletionTimestamp || !!sc.finished || pod.status?.phase === 'Succeeded' || failed;
    if (!canRemove) continue;
    toRemove.push(pod);
    const ix = completionIndex(pod);
    if (pod.status?.phase === 'Succeeded' && !sc.uncountedFailed.has(uid)) {
      if (indexed) {
        if (ix >= 0 && ix < completions && !sc.prevSucceededIndexes.includes(ix)) { newSucceededIndexes.push(ix); needsFlush = true; }
      } else if (!sc.uncountedSucceeded.has(uid)) {
        needsFlush = true;
        uncounted.succeeded.push(uid);
      }
    } else if (failed || (sc.finished && sc.finished.type !== JobSuccessCriteriaMet)) {
      // When the Job is finishing, every pod not terminated yet counts as failed.
      if (!sc.uncountedFailed.has(uid) && (!indexed || (ix >= 0 && ix < completions))) {
        needsFlush = true;
        uncounted.failed.push(uid);
      }
    }
    if (newSucceededIndexes.length + uncounted.succeeded.length + uncounted.failed.length >= MaxUncountedPods) {
      // Keeps status small and lets other Jobs sync; the status and pod updates bring this Job back.
      reachedMax = true;
      break;
    }
  }
  if (indexed) {
    const all = [...new Set([...sc.prevSucceededIndexes, ...newSucceededIndexes])].sort((a, b) => a - b);
    const s = formatIndexes(all);
    if (s !== (job.status.completedIndexes ?? '')) needsFlush = true;
    job.status.succeeded = all.length;
    job.status.completedIndexes = s;
  }
  const now = d.now();
  if (sc.finished?.type === JobFailureTarget) {
    // The interim condition keeps the reason while finalizers are removed; Failed follows.
    job.status.conditions = [...(job.status.conditions ?? []), sc.finished];
    needsFlush = true;
    sc.finished = newCondition(JobFailed, 'True', sc.finished.reason ?? '', sc.finished.message ?? '', now);
  }
  if (sc.finished?.type === JobSuccessCriteriaMet) {
    if (findCondition(job, JobSuccessCriteriaMet)?.status !== 'True') {
      job.status.conditions = [...(job.status.conditions ?? []), sc.finished];
      needsFlush = true;
    }
    sc.finished = newCondition(JobComplete, 'True', sc.finished.reason ?? '', sc.finished.message ?? '', now);
  }
  // 1. Save the uncounted pods, 2. remove their finalizers, 3. count those whose finalizer is gone.
  if (needsFlush) {
    sc.job = await updateStatus(d, sc.job);
    d.backoff.set(sc.key, sc.newBackoff);
    needsFlush = false;
  }
  let rmError: unknown;
  if (toRemove.length) {
    d.finalizerExpectations.expectRemoval(sc.key, toRemove.map((p) => p.metadata.uid));
    await Promise.all(toRemove.map(async (pod) => {
      try {
        await d.client.patch(ref('Pod', pod.metadata.namespace), pod.metadata.name, 'strategic', removeTrackingFinalizerPatch(pod),
          { fieldManager: FieldManager });
        withFinalizer.delete(pod.metadata.uid);
      } catch (e) {
        if (isNotFound(e)) {
          withFinalizer.delete(pod.metadata.uid);
          return;
        }
        d.finalizerExpectations.removalObserved(sc.key, pod.metadata.uid);
        rmError ??= e;
      }
    }));
  }
  if (cleanUncounted(sc.job.status, withFinalizer)) needsFlush = true;
  if (rmError) {
    if (needsFlush) await updateStatus(d, sc.job);
    throw rmError;
  }
  const finished = !reachedMax && enactJobFinished(sc, now);
  if (finished) needsFlush = true;
  if (!needsFlush) return;
  sc.job = await updateStatus(d, sc.job);
  if (!finished || !sc.finished) return;
  if (sc.finished.type === JobComplete) d.events.event(sc.job, 'Normal', 'Completed', 'Job completed');
  else d.events.event(sc.job, 'Warning', sc.finished.reason ?? '', sc.finished.message ?? '');
}

/** cleanUncountedPodsWithoutFinalizers: uncounted pods whose finalizer is gone move into the counters. */
function cleanUncounted(status: Obj, withFinalizer: Set<string>): boolean {
  const u = status.uncountedTerminatedPods;
  let changed = false;
  for (const field of ['succeeded', 'failed'] as const) {
    const list: string[] = u[field] ?? [];
    const keep = list.filter((uid) => withFinalizer.has(uid));
    if (keep.length === list.length) continue;
    changed = true;
    status[field] = (status[field] ?? 0) + list.length - keep.length;
    u[field] = keep;
  }
  return changed;
}

/** enactJobFinished: sets Complete (with completionTime) or Failed once no pod is uncounted or terminating. */
function enactJobFinished(sc: SyncCtx, now: number): boolean {
  const cond = sc.finished;
  if (!cond) return false;
  const u = sc.job.status.uncountedTerminatedPods;
  if ((u.succeeded?.length ?? 0) + (u.failed?.length ?? 0) > 0) return false;
  if (sc.terminating > 0) return false;
  ensureJobConditionStatus(sc.job.status, cond.type, cond.status, cond.reason ?? '', cond.message ?? '', now);
  if (cond.type === JobComplete) sc.job.status.completionTime = findCondition(sc.job, JobComplete)!.lastTransitionTime;
  return true;
}

/** Writes status as upstream serializes it: zero counters and empty uid lists are omitted. */
async function updateStatus(d: JobSyncDeps, job: Obj): Promise<Obj> {
  const s = job.status;
  for (const f of ['active', 'succeeded', 'failed'] as const) if (!s[f]) delete s[f];
  for (const f of ['succeeded', 'failed'] as const) if (!s.uncountedTerminatedPods[f]?.length) delete s.uncountedTerminatedPods[f];
  if (s.completedIndexes === '') delete s.completedIndexes;
  const out = await d.client.updateStatus(ref('Job', job.metadata.namespace), job, { fieldManager: FieldManager });
  out.status ??= {};
  out.status.uncountedTerminatedPods ??= {};
  return out;
}
