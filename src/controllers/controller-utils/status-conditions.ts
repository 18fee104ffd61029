/**
 * @module metav1.Condition lists as apimachinery's meta helpers keep them (SetStatusCondition,
 * FindStatusCondition): lastTransitionTime moves only when the status changes.
 */

/** A metav1.Condition. */
export interface StatusCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime?: string;
}

export const findStatusCondition = (conditions: StatusCondition[] | undefined, type: string): StatusCondition | undefined =>
  conditions?.find((c) => c.type === type);

/**
 * SetStatusCondition: adds the condition (lastTransitionTime `now` unless given) or updates the
 * existing one in place — a new status also sets lastTransitionTime. Returns whether anything changed.
 */
export function setStatusCondition(conditions: StatusCondition[], cond: StatusCondition, now: string): boolean {
  const cur = findStatusCondition(conditions, cond.type);
  if (!cur) {
    conditions.push({ ...cond, lastTransitionTime: cond.lastTransitionTime ?? now });
    return true;
  }
  let changed = false;
  if (cur.status !== cond.status) {
    cur.status = cond.status;
    cur.lastTransitionTime = cond.lastTransitionTime ?? now;
    changed = true;
  }
  if (cur.reason !== cond.reason) { cur.reason = cond.reason; changed = true; }
  if (cur.message !== cond.message) { cur.message = cond.message; changed = true; }
  if (cur.observedGeneration !== cond.observedGeneration) { cur.observedGeneration = cond.observedGeneration; changed = true; }
  return changed;
}
