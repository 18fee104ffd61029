/**
 * @module A PodDisruptionBudget's status arithmetic, as upstream's disruption controller does it:
 * expected pods from the pods' controllers' scale, desired healthy from minAvailable or
 * maxUnavailable (percentages round up), healthy pods, disrupted pods that expire after 2 min,
 * and the DisruptionAllowed condition. Pure: the controller supplies the controllers' scale.
 */
import type { Obj } from '../../client/client.js';
import { getControllerOf, type OwnerReference } from '../controller-utils/controller-ref.js';
import { scaledValueFromIntOrPercent } from '../controller-utils/int-or-percent.js';
import { isPodReady } from '../controller-utils/pods.js';
import { findStatusCondition, setStatusCondition, type StatusCondition } from '../controller-utils/status-conditions.js';

/** Upstream's DeletionTimeout: a pod evicted this long ago but still there counts again. */
export const DeletionTimeoutMs = 2 * 60_000;

/** policy.DisruptionAllowedCondition and its reasons. */
export const DisruptionAllowedCondition = 'DisruptionAllowed';
export const SufficientPodsReason = 'SufficientPods';
export const InsufficientPodsReason = 'InsufficientPods';
export const SyncFailedReason = 'SyncFailed';

/** A controller and its desired scale. */
export interface ControllerScale { uid: string; scale: number }

/**
 * Finds the controller a pod's controllerRef names and its scale: undefined when this finder does
 * not handle it (or it is gone); throws when it cannot tell.
 */
export type ScaleFinder = (controllerRef: OwnerReference, namespace: string) => Promise<ControllerScale | undefined>;

export interface ExpectedCount { expectedCount: number; desiredHealthy: number; unmanagedPods: string[] }

/** getExpectedPodCount. Throws (a sync failure) when a controller cannot be found or a value is invalid. */
export async function expectedPodCount(pdb: Obj, pods: Obj[], finders: ScaleFinder[]): Promise<ExpectedCount> {
  const { maxUnavailable, minAvailable } = pdb.spec ?? {};
  if (maxUnavailable !== undefined && maxUnavailable !== null) {
    const { expectedCount, unmanagedPods } = await expectedScale(pods, finders);
    const max = scaledValueFromIntOrPercent(maxUnavailable, expectedCount, true);
    return { expectedCount, desiredHealthy: Math.max(0, expectedCount - max), unmanagedPods };
  }
  if (typeof minAvailable === 'number') return { expectedCount: pods.length, desiredHealthy: minAvailable, unmanagedPods: [] };
  if (typeof minAvailable === 'string') {
    const { expectedCount, unmanagedPods } = await expectedScale(pods, finders);
    return { expectedCount, desiredHealthy: scaledValueFromIntOrPercent(minAvailable, expectedCount, true), unmanagedPods };
  }
  return { expectedCount: 0, desiredHealthy: 0, unmanagedPods: [] };
}

/** getExpectedScale: the sum of the scales of the pods' distinct controllers; pods without one are unmanaged. */
async function expectedScale(pods: Obj[], finders: ScaleFinder[]): Promise<{ expectedCount: number; unmanagedPods: string[] }> {
  const scales = new Map<string, number>();
  const unmanagedPods: string[] = [];
  for (const pod of pods) {
    const cref = getControllerOf(pod);
    if (!cref) { unmanagedPods.push(pod.metadata.name); continue; }
    if (scales.has(cref.uid)) continue;
    let found: ControllerScale | undefined;
    for (const finder of finders) {
      found = await finder(cref, pod.metadata.namespace);
      if (found) break;
    }
    if (!found) throw new Error(`found no controllers for pod "${pod.metadata.name}"`);
    scales.set(found.uid, found.scale);
  }
  let expectedCount = 0;
  for (const s of scales.values()) expectedCount += s;
  return { expectedCount, unmanagedPods };
}

/** buildDisruptedPodMap: entries still within the deletion timeout, the earliest expiry, and pods past it. */
export function disruptedPodMap(pods: Obj[], pdb: Obj, now: number):
  { disrupted: Record<string, string>; recheckAt?: number; notDeleted: Obj[] } {
  const recorded = (pdb.status?.disruptedPods ?? {}) as Record<string, string>;
  const disrupted: Record<string, string> = {};
  const notDeleted: Obj[] = [];
  let recheckAt: number | undefined;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    const at = recorded[pod.metadata.name];
    if (at === undefined) continue;
    const expectedDeletion = Date.parse(at) + DeletionTimeoutMs;
    if (expectedDeletion < now) { notDeleted.push(pod); continue; }
    if (recheckAt === undefined || expectedDeletion < recheckAt) recheckAt = expectedDeletion;
    disrupted[pod.metadata.name] = at;
  }
  return { disrupted, recheckAt, notDeleted };
}

/** countHealthyPods: Ready pods that are neither being deleted nor recently evicted. */
export function countHealthyPods(pods: Obj[], disrupted: Record<string, string>, now: number): number {
  let healthy = 0;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    const at = disrupted[pod.metadata.name];
    if (at !== undefined && Date.parse(at) + DeletionTimeoutMs > now) continue;
    if (isPodReady(pod)) healthy++;
  }
  return healthy;
}

export interface BudgetCounts { currentHealthy: number; desiredHealthy: number; expectedCount: number; disrupted: Record<string, string> }

/**
 * updatePdbStatus: the new status, or undefined when the current one is up to date. No
 * disruptions are allowed while no pods are expected (first pods, status not yet written).
 */
export function nextStatus(pdb: Obj, c: BudgetCounts, now: string): Obj | undefined {
  let disruptionsAllowed = c.currentHealthy - c.desiredHealthy;
  if (c.expectedCount <= 0 || disruptionsAllowed <= 0) disruptionsAllowed = 0;
  const s = pdb.status ?? {};
  const generation = pdb.metadata.generation ?? 0;
  if ((s.currentHealthy ?? 0) === c.currentHealthy && (s.desiredHealthy ?? 0) === c.desiredHealthy &&
    (s.expectedPods ?? 0) === c.expectedCount && (s.disruptionsAllowed ?? 0) === disruptionsAllowed &&
    sameMap(s.disruptedPods, c.disrupted) && (s.observedGeneration ?? 0) === generation && conditionsAreUpToDate(pdb)) {
    return undefined;
  }
  const status: Obj = {
    currentHealthy: c.currentHealthy, desiredHealthy: c.desiredHealthy, expectedPods: c.expectedCount, disruptionsAllowed,
    observedGeneration: generation, conditions: structuredClone(s.conditions ?? []),
  };
  if (Object.keys(c.disrupted).length) status.disruptedPods = c.disrupted;
  updateDisruptionAllowedCondition(status, now);
  return status;
}

/** failSafe: no disruptions allowed, and DisruptionAllowed False with reason SyncFailed and the error. */
export function failSafeStatus(pdb: Obj, err: Error, now: string): Obj {
  const status: Obj = structuredClone(pdb.status ?? {});
  status.disruptionsAllowed = 0;
  status.conditions ??= [];
  setStatusCondition(status.conditions, { type: DisruptionAllowedCondition, status: 'False', reason: SyncFailedReason,
    message: err.message, observedGeneration: status.observedGeneration ?? 0 }, now);
  return status;
}

/** pdbhelper.UpdateDisruptionAllowedCondition. */
function updateDisruptionAllowedCondition(status: Obj, now: string): void {
  const allowed = status.disruptionsAllowed > 0;
  const cond: StatusCondition = {
    type: DisruptionAllowedCondition, status: allowed ? 'True' : 'False',
    reason: allowed ? SufficientPodsReason : InsufficientPodsReason, message: '', observedGeneration: status.observedGeneration,
  };
  setStatusCondition(status.conditions, cond, now);
}

/** pdbhelper.ConditionsAreUpToDate. */
function conditionsAreUpToDate(pdb: Obj): boolean {
  const cond = findStatusCondition(pdb.status?.conditions, DisruptionAllowedCondition);
  if (!cond || (pdb.status?.observedGeneration ?? 0) !== (pdb.metadata.generation ?? 0)) return false;
  return (pdb.status?.disruptionsAllowed ?? 0) > 0
    ? cond.status === 'True' && cond.reason === SufficientPodsReason
    : cond.status === 'False' && cond.reason === InsufficientPodsReason;
}

function sameMap(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  const ka = Object.keys(a ?? {});
  return ka.length === Object.keys(b).length && ka.every((k) => a![k] === b[k]);
}
