/**
 * @module Deployment helpers (upstream deploymentutil): revision and replica annotations,
 * maxSurge/maxUnavailable fenceposts, new/old ReplicaSet lookup, proportions for scaling during
 * a rollout, and the completion/progress/timeout tests behind the Progressing condition.
 */
import type { Obj } from '../../client/client.js';
import { canonicalJSON, pruneEmpty } from '../controller-utils/hash.js';
import { type Condition, getCondition } from '../controller-utils/conditions.js';

export const RevisionAnnotation = 'deployment.kubernetes.io/revision';
export const RevisionHistoryAnnotation = 'deployment.kubernetes.io/revision-history';
export const DesiredReplicasAnnotation = 'deployment.kubernetes.io/desired-replicas';
export const MaxReplicasAnnotation = 'deployment.kubernetes.io/max-replicas';
export const LastAppliedConfigAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';
export const DeprecatedRollbackTo = 'deprecated.deployment.rollback.to';
/** apps.DefaultDeploymentUniqueLabelKey. */
export const PodTemplateHashLabel = 'pod-template-hash';
/** Upstream's maxRevHistoryLengthInChars. */
export const MaxRevHistoryLengthInChars = 2000;

// Condition types and reasons (Kubernetes' exact strings).
export const DeploymentProgressing = 'Progressing';
export const DeploymentAvailable = 'Available';
export const DeploymentReplicaFailure = 'ReplicaFailure';
export const ReplicaSetUpdatedReason = 'ReplicaSetUpdated';
export const FailedRSCreateReason = 'ReplicaSetCreateError';
export const NewReplicaSetReason = 'NewReplicaSetCreated';
export const FoundNewRSReason = 'FoundNewReplicaSet';
export const NewRSAvailableReason = 'NewReplicaSetAvailable';
export const TimedOutReason = 'ProgressDeadlineExceeded';
export const PausedDeployReason = 'DeploymentPaused';
export const ResumedDeployReason = 'DeploymentResumed';
export const MinimumReplicasAvailable = 'MinimumReplicasAvailable';
export const MinimumReplicasUnavailable = 'MinimumReplicasUnavailable';

/** Annotations never copied between a Deployment and its ReplicaSets (upstream annotationsToSkip). */
const annotationsToSkip = new Set([LastAppliedConfigAnnotation, RevisionAnnotation, RevisionHistoryAnnotation,
  DesiredReplicasAnnotation, MaxReplicasAnnotation, DeprecatedRollbackTo]);
export const skipCopyAnnotation = (k: string) => annotationsToSkip.has(k);

export const replicasOf = (o: Obj | undefined): number => o?.spec?.replicas ?? 1;

/** The revision annotation as a number; 0 when absent, NaN when malformed. */
export function revisionOf(o: Obj): number {
  const v = o.metadata?.annotations?.[RevisionAnnotation];
  if (v === undefined) return 0;
  return /^\d+$/.test(v) ? Number(v) : NaN;
}

export function maxRevision(rss: Obj[]): number {
  let max = 0;
  for (const rs of rss) { const v = revisionOf(rs); if (v > max) max = v; }
  return max;
}

/** LastRevision: the second-highest revision (what `rollout undo` without --to-revision goes back to). */
export function lastRevision(rss: Obj[]): number {
  let max = 0, sec = 0;
  for (const rs of rss) {
    const v = revisionOf(rs);
    if (Number.isNaN(v)) continue;
    if (v >= max) { sec = max; max = v; } else if (v > sec) sec = v;
  }
  return sec;
}

/** copyDeploymentAnnotationsToReplicaSet; true when rs changed. */
function copyDeploymentAnnotations(d: Obj, rs: Obj): boolean {
  let changed = false;
  const ann = (rs.metadata.annotations ??= {});
  for (const [k, v] of Object.entries<string>(d.metadata.annotations ?? {})) {
    if (skipCopyAnnotation(k) || ann[k] === v) continue;
    ann[k] = v;
    changed = true;
  }
  return changed;
}

/**
 * SetNewReplicaSetAnnotations: copies the Deployment's annotations, raises the revision (keeping
 * the old one in revision-history, as a rollback to this ReplicaSet does), and on creation sets
 * the replica annotations. Returns true when rs changed.
 */
export function setNewReplicaSetAnnotations(d: Obj, rs: Obj, newRevision: number, exists: boolean): boolean {
  let changed = copyDeploymentAnnotations(d, rs);
  const ann = rs.metadata.annotations;
  const oldRevision: string | undefined = ann[RevisionAnnotation];
  const oldRev = oldRevision === undefined ? 0 : /^\d+$/.test(oldRevision) ? Number(oldRevision) : NaN;
  if (Number.isNaN(oldRev)) return false;
  if (oldRev < newRevision) {
    ann[RevisionAnnotation] = String(newRevision);
    changed = true;
    if (oldRevision !== undefined) {
      const history: string = ann[RevisionHistoryAnnotation] ?? '';
      if (!history) ann[RevisionHistoryAnnotation] = oldRevision;
      else {
        const old = history.split(',');
        let total = history.length + oldRevision.length + 1;
        let start = 0;
        while (total > MaxRevHistoryLengthInChars && start < old.length) total -= old[start++]!.length + 1;
        if (total <= MaxRevHistoryLengthInChars) ann[RevisionHistoryAnnotation] = [...old.slice(start), oldRevision].join(',');
      }
    }
  }
  if (!exists && setReplicasAnnotations(rs, replicasOf(d), replicasOf(d) + maxSurge(d))) changed = true;
  return changed;
}

/** SetReplicasAnnotations: desired-replicas and max-replicas; true when rs changed. */
export function setReplicasAnnotations(rs: Obj, desired: number, max: number): boolean {
  const ann = (rs.metadata.annotations ??= {});
  let changed = false;
  if (ann[DesiredReplicasAnnotation] !== String(desired)) { ann[DesiredReplicasAnnotation] = String(desired); changed = true; }
  if (ann[MaxReplicasAnnotation] !== String(max)) { ann[MaxReplicasAnnotation] = String(max); changed = true; }
  return changed;
}

export function replicasAnnotationsNeedUpdate(rs: Obj, desired: number, max: number): boolean {
  const ann = rs.metadata?.annotations ?? {};
  return ann[DesiredReplicasAnnotation] !== String(desired) || ann[MaxReplicasAnnotation] !== String(max);
}

const intAnnotation = (rs: Obj, key: string): number | undefined => {
  const v = rs.metadata?.annotations?.[key];
  return v !== undefined && /^-?\d+$/.test(v) ? Number(v) : undefined;
};
export const desiredReplicasAnnotation = (rs: Obj) => intAnnotation(rs, DesiredReplicasAnnotation);

/**
 * intstr.GetScaledValueFromIntOrPercent: an integer as is, "N%" of total rounded up (surge) or
 * down (unavailable). Throws for any other string.
 */
export function scaledValue(v: number | string | undefined, total: number, roundUp: boolean): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

export const isRollingUpdate = (d: Obj) => (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';

/** ResolveFenceposts: [surge, unavailable]; when both round to 0, unavailable becomes 1. */
export function resolveFenceposts(surgeSpec: number | string | undefined, unavailableSpec: number | string | undefined,
  desired: number): [number, number] {
  const surge = scaledValue(surgeSpec ?? 0, desired, true);
  let unavailable = scaledValue(unavailableSpec ?? 0, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return [surge, unavailable];
}

export function maxSurge(d: Obj): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec?.strategy?.rollingUpdate ?? {};
  return resolveFenceposts(ru.maxSurge, ru.maxUnavailable, replicasOf(d))[0];
}

export function maxUnavailable(d: Obj): number {
  const replicas = replicasOf(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  const ru = d.spec?.strategy?.rollingUpdate ?? {};
  return Math.min(replicas, resolveFenceposts(ru.maxSurge, ru.maxUnavailable, replicas)[1]);
}

const sum = (rss: (Obj | undefined)[], f: (rs: Obj) => number) => rss.reduce((n, rs) => n + (rs ? f(rs) : 0), 0);
/** Sum of spec.replicas. */
export const replicaCount = (rss: (Obj | undefined)[]) => sum(rss, (rs) => replicasOf(rs));
/** Sum of status.replicas. */
export const actualReplicaCount = (rss: (Obj | undefined)[]) => sum(rss, (rs) => rs.status?.replicas ?? 0);
export const readyReplicaCount = (rss: (Obj | undefined)[]) => sum(rss, (rs) => rs.status?.readyReplicas ?? 0);
export const availableReplicaCount = (rss: (Obj | undefined)[]) => sum(rss, (rs) => rs.status?.availableReplicas ?? 0);

/** FilterActiveReplicaSets: those with spec.replicas > 0. */
export const filterActive = (rss: (Obj | undefined)[]): Obj[] => rss.filter((rs): rs is Obj => !!rs && replicasOf(rs) > 0);

const created = (o: Obj) => Date.parse(o.metadata?.creationTimestamp ?? '') || 0;
/** ReplicaSetsByCreationTimestamp: older first, then by name. */
export const byCreation = (a: Obj, b: Obj) => created(a) - created(b) || (a.metadata.name < b.metadata.name ? -1 : 1);
/** ReplicaSetsBySizeOlder: larger first; equal sizes older first. */
export const bySizeOlder = (a: Obj, b: Obj) => replicasOf(b) - replicasOf(a) || byCreation(a, b);
/** ReplicaSetsBySizeNewer: larger first; equal sizes newer first. */
export const bySizeNewer = (a: Obj, b: Obj) => replicasOf(b) - replicasOf(a) || created(b) - created(a);
/** ReplicaSetsByRevision: lower revision first, then by creation. */
export const byRevision = (a: Obj, b: Obj) => (revisionOf(a) || 0) - (revisionOf(b) || 0) || byCreation(a, b);

/**
 * EqualIgnoreHash: the templates are semantically equal (empty members ignored) once the
 * pod-template-hash label is ignored.
 */
export function equalIgnoreHash(a: Obj | undefined, b: Obj | undefined): boolean {
  const strip = (t: Obj | undefined) => {
    const c = structuredClone(t ?? {});
    if (c.metadata?.labels) delete c.metadata.labels[PodTemplateHashLabel];
    return canonicalJSON(pruneEmpty(c) ?? {});
  };
  return strip(a) === strip(b);
}

/** FindNewReplicaSet: the oldest ReplicaSet whose template equals the Deployment's. */
export function findNewReplicaSet(d: Obj, rss: Obj[]): Obj | undefined {
  return [...rss].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

/** FindOldReplicaSets: every other ReplicaSet. */
export function findOldReplicaSets(d: Obj, rss: Obj[]): Obj[] {
  const newRS = findNewReplicaSet(d, rss);
  return rss.filter((rs) => rs.metadata.uid !== newRS?.metadata.uid);
}

/** FindActiveOrLatest: the only active ReplicaSet, the newest when none is active, else undefined. */
export function findActiveOrLatest(newRS: Obj | undefined, oldRSs: Obj[]): Obj | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const old = [...oldRSs].sort(byCreation).reverse();
  const active = filterActive([...old, newRS]);
  if (active.length === 0) return newRS ?? old[0];
  return active.length === 1 ? active[0] : undefined;
}

/**
 * NewRSNewReplicas: how big the new ReplicaSet may be now. Unlike upstream, which counts
 * spec.replicas only, a ReplicaSet counts as max(spec, status) replicas: an old ReplicaSet just
 * scaled down still has its pods until its controller deletes them, and creating new pods before
 * then would exceed maxSurge for a moment that a watch can observe.
 */
export function newRSNewReplicas(d: Obj, allRSs: (Obj | undefined)[], newRS: Obj): number {
  if (!isRollingUpdate(d)) return replicasOf(d);
  const surge = scaledValue(d.spec?.strategy?.rollingUpdate?.maxSurge, replicasOf(d), true);
  const current = sum(allRSs, (rs) => Math.max(replicasOf(rs), rs.status?.replicas ?? 0));
  const maxTotal = replicasOf(d) + surge;
  if (current >= maxTotal) return replicasOf(newRS);
  return replicasOf(newRS) + Math.min(maxTotal - current, replicasOf(d) - replicasOf(newRS));
}

/** IsSaturated: the new ReplicaSet has all desired replicas, annotated so, and all available. */
export function isSaturated(d: Obj, rs: Obj | undefined): boolean {
  if (!rs) return false;
  const desired = desiredReplicasAnnotation(rs);
  if (desired === undefined) return false;
  return replicasOf(rs) === replicasOf(d) && desired === replicasOf(d) && (rs.status?.availableReplicas ?? 0) === replicasOf(d);
}

/** GetReplicaSetProportion: rs's share of `toAdd` when scaling a Deployment during a rollout. */
export function replicaSetProportion(rs: Obj, d: Obj, toAdd: number, added: number): number {
  if (replicasOf(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

function replicaSetFraction(rs: Obj, d: Obj): number {
  if (replicasOf(d) === 0) return -replicasOf(rs);
  const maxNow = replicasOf(d) + maxSurge(d);
  let before = intAnnotation(rs, MaxReplicasAnnotation) ?? 0;
  if (before === 0) {
    before = d.status?.replicas ?? 0;
    if (before === 0) return 0;
  }
  // The size is never negative, so Math.round rounds halves as Go's math.Round does (away from zero).
  return Math.round((replicasOf(rs) * maxNow) / before) - replicasOf(rs);
}

/** Status counts as calculateStatus computes them. */
export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  collisionCount?: number;
  conditions?: Condition[];
}

/** HasProgressDeadline: progressDeadlineSeconds set and not MaxInt32. */
export const hasProgressDeadline = (d: Obj) =>
  d.spec?.progressDeadlineSeconds !== undefined && d.spec.progressDeadlineSeconds !== 2147483647;

/** HasRevisionHistoryLimit: set and not MaxInt32. */
export const hasRevisionHistoryLimit = (d: Obj) =>
  d.spec?.revisionHistoryLimit !== undefined && d.spec.revisionHistoryLimit !== 2147483647;

/** DeploymentComplete: every replica updated and available, and the latest generation observed. */
export function deploymentComplete(d: Obj, s: DeploymentStatus): boolean {
  const r = replicasOf(d);
  return (s.updatedReplicas ?? 0) === r && (s.replicas ?? 0) === r && (s.availableReplicas ?? 0) === r &&
    (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

/** DeploymentProgressing: more updated, ready or available replicas, or fewer old ones, than before. */
export function deploymentProgressing(d: Obj, s: DeploymentStatus): boolean {
  const old: DeploymentStatus = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) || newOld < oldOld ||
    (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) || (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0);
}

/** DeploymentTimedOut: the Progressing condition was last updated longer than the deadline ago. */
export function deploymentTimedOut(d: Obj, s: DeploymentStatus, now: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getCondition(s.conditions, DeploymentProgressing);
  if (!c) return false;
  if (c.reason === NewRSAvailableReason) return false;
  if (c.reason === TimedOutReason) return true;
  const from = Date.parse(c.lastUpdateTime ?? '');
  return from + d.spec.progressDeadlineSeconds * 1000 < now;
}
