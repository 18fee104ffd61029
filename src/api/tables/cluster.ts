/** @module Rows for cluster-level kinds: leases, priority classes, disruption budgets, RBAC bindings, and the created-at default. */
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { ClusterRoleBinding, RoleBinding, Subject } from 'kubernetes-types/rbac/v1.js';
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import { type TablePrinter, ageCol, col, creationTimestampDescription, nameCol, wide } from './columns.js';
import { since } from './duration.js';

export const leaseTable: TablePrinter = {
  columnDefinitions: [nameCol(), col('Holder', 'string', 'holderIdentity contains the identity of the holder of a current lease.'), ageCol()],
  rowCells: (l: Lease, now) => [l.metadata?.name, l.spec?.holderIdentity ?? '', since(l.metadata?.creationTimestamp, now)],
};

export const priorityClassTable: TablePrinter = {
  columnDefinitions: [
    nameCol(),
    col('Value', 'integer', 'value represents the integer value of this priority class.'),
    col('Global-Default', 'boolean', 'globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class.'),
    ageCol(),
    col('PreemptionPolicy', 'string', 'preemptionPolicy is the Policy for preempting pods with lower priority.'),
  ],
  rowCells: (pc: PriorityClass, now) =>
    [pc.metadata?.name, pc.value, pc.globalDefault ?? false, since(pc.metadata?.creationTimestamp, now), pc.preemptionPolicy ?? ''],
};

export const podDisruptionBudgetTable: TablePrinter = {
  columnDefinitions: [
    nameCol(),
    col('Min Available', 'string', 'The minimum number of pods that must be available.'),
    col('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
    col('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
    ageCol(),
  ],
  rowCells: (pdb: PodDisruptionBudget, now) => [pdb.metadata?.name, String(pdb.spec?.minAvailable ?? 'N/A'),
    String(pdb.spec?.maxUnavailable ?? 'N/A'), pdb.status?.disruptionsAllowed ?? 0, since(pdb.metadata?.creationTimestamp, now)],
};

/** SubjectsStrings: users, groups and namespace/name service accounts, each joined by ", ". */
function subjects(list: Subject[] | undefined): [string, string, string] {
  const of = (kind: string, f: (s: Subject) => string) => (list ?? []).filter((s) => s.kind === kind).map(f).join(', ');
  return [of('User', (s) => s.name), of('Group', (s) => s.name), of('ServiceAccount', (s) => `${s.namespace ?? ''}/${s.name}`)];
}

const bindingTable = (what: string): TablePrinter => ({
  columnDefinitions: [
    nameCol(),
    col('Role', 'string', 'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace.'),
    ageCol(),
    wide('Users', 'string', `Users in the ${what}`),
    wide('Groups', 'string', `Groups in the ${what}`),
    wide('ServiceAccounts', 'string', `ServiceAccounts in the ${what}`),
  ],
  rowCells: (b: RoleBinding | ClusterRoleBinding, now) =>
    [b.metadata?.name, `${b.roleRef?.kind}/${b.roleRef?.name}`, since(b.metadata?.creationTimestamp, now), ...subjects(b.subjects)],
});
export const roleBindingTable = bindingTable('roleBinding');
export const clusterRoleBindingTable = bindingTable('clusterRoleBinding');

/** The apiserver's default table for built-in kinds without a printer (roles, limit ranges): NAME, CREATED AT. */
export const createdAtTable: TablePrinter = {
  columnDefinitions: [nameCol(), col('Created At', 'date', creationTimestampDescription)],
  rowCells: (o) => [o?.metadata?.name ?? '', createdAt(o?.metadata?.creationTimestamp)],
};

/** time.RFC3339 in UTC, without fractional seconds. */
function createdAt(ts: string | undefined): string {
  const t = ts ? Date.parse(ts) : NaN;
  return Number.isNaN(t) ? '0001-01-01T00:00:00Z' : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** What a custom resource without printer columns shows: NAME, AGE. */
export const defaultTable: TablePrinter = {
  columnDefinitions: [nameCol(), col('Age', 'date', creationTimestampDescription)],
  rowCells: (o, now) => [o?.metadata?.name ?? '', since(o?.metadata?.creationTimestamp, now)],
};
