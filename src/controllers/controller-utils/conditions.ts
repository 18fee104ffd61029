/**
 * @module Status conditions of Deployments and ReplicaSets, as upstream's deploymentutil and
 * replicaset condition helpers: set keeps lastTransitionTime while the status stays the same.
 */

/** A Deployment or ReplicaSet condition (ReplicaSets have no lastUpdateTime). */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
}

/** metav1.Time as it serializes: RFC 3339 to the second. */
export const rfc3339 = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export const getCondition = (conditions: Condition[] | undefined, type: string): Condition | undefined =>
  conditions?.find((c) => c.type === type);

/**
 * SetDeploymentCondition / SetCondition: no change when status and reason are the same;
 * otherwise replaces the condition, keeping lastTransitionTime when only the reason changed.
 */
export function setCondition(status: { conditions?: Condition[] }, cond: Condition): void {
  const cur = getCondition(status.conditions, cond.type);
  if (cur && cur.status === cond.status && cur.reason === cond.reason) return;
  const next = { ...cond };
  if (cur && cur.status === cond.status) next.lastTransitionTime = cur.lastTransitionTime;
  status.conditions = [...removeFrom(status.conditions, cond.type), next];
}

export function removeCondition(status: { conditions?: Condition[] }, type: string): void {
  const rest = removeFrom(status.conditions, type);
  if (rest.length) status.conditions = rest;
  else delete status.conditions;
}

const removeFrom = (conditions: Condition[] | undefined, type: string) => (conditions ?? []).filter((c) => c.type !== type);
