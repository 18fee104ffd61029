/** @module Which printer serves which resource, as upstream's printers.AddHandlers registers them. */
import type { ResourceType } from '../scheme.js';
import type { TablePrinter } from './columns.js';
import {
  clusterRoleBindingTable, createdAtTable, defaultTable, leaseTable, podDisruptionBudgetTable, priorityClassTable, roleBindingTable,
} from './cluster.js';
import {
  configMapTable, endpointsTable, eventTable, namespaceTable, nodeTable, persistentVolumeClaimTable, persistentVolumeTable,
  resourceQuotaTable, secretTable, serviceAccountTable, serviceTable,
} from './core.js';
import { endpointSliceTable, ingressClassTable, ingressTable, networkPolicyTable } from './networking.js';
import { podTable } from './pods.js';
import {
  controllerRevisionTable, cronJobTable, daemonSetTable, deploymentTable, jobTable, replicaSetTable, statefulSetTable,
} from './workloads.js';

/** Keyed by "group/resource" ("" group for core). */
const printers: Record<string, TablePrinter> = {
  '/pods': podTable,
  '/services': serviceTable,
  '/endpoints': endpointsTable,
  '/nodes': nodeTable,
  '/namespaces': namespaceTable,
  '/events': eventTable,
  '/configmaps': configMapTable,
  '/secrets': secretTable,
  '/serviceaccounts': serviceAccountTable,
  '/persistentvolumes': persistentVolumeTable,
  '/persistentvolumeclaims': persistentVolumeClaimTable,
  '/resourcequotas': resourceQuotaTable,
  // Upstream has no printer for these: the generic registry's default table applies.
  '/limitranges': createdAtTable,
  'rbac.authorization.k8s.io/roles': createdAtTable,
  'rbac.authorization.k8s.io/clusterroles': createdAtTable,
  'rbac.authorization.k8s.io/rolebindings': roleBindingTable,
  'rbac.authorization.k8s.io/clusterrolebindings': clusterRoleBindingTable,
  'apps/deployments': deploymentTable,
  'apps/replicasets': replicaSetTable,
  'apps/daemonsets': daemonSetTable,
  'apps/statefulsets': statefulSetTable,
  'apps/controllerrevisions': controllerRevisionTable,
  'batch/jobs': jobTable,
  'batch/cronjobs': cronJobTable,
  'networking.k8s.io/ingresses': ingressTable,
  'networking.k8s.io/ingressclasses': ingressClassTable,
  'networking.k8s.io/networkpolicies': networkPolicyTable,
  'discovery.k8s.io/endpointslices': endpointSliceTable,
  'coordination.k8s.io/leases': leaseTable,
  'policy/poddisruptionbudgets': podDisruptionBudgetTable,
  'scheduling.k8s.io/priorityclasses': priorityClassTable,
  // events.k8s.io Events print through the core printer after conversion; see toTable.
  'events.k8s.io/events': eventTable,
};

/** The printer for a resource; kinds without one (custom resources) get NAME and AGE. */
export const tableFor = (t: ResourceType): TablePrinter => printers[`${t.group}/${t.resource}`] ?? defaultTable;
