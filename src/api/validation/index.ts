/**
 * @module Validation entry points the API server calls on create, update and status writes: metadata
 * checks for every kind, then the kind's own rules (pkg/apis/<group>/validation), as field errors
 * with upstream's paths and messages. Kinds without rules (CRDs, …) get the metadata checks only.
 */
import type { FieldError } from '../../apimachinery/errors.js';
import { nameIsDNSSubdomain } from '../../apimachinery/validation/names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../../apimachinery/validation/object-meta.js';
import type { ResourceType } from '../scheme.js';
import { controllerRevisionRules, deploymentRules, replicaSetRules } from './apps.js';
import { cronJobRules, jobRules } from './batch.js';
import { configMapRules, secretRules } from './config.js';
import { leaseRules } from './coordination.js';
import { daemonSetRules } from './daemonset.js';
import { endpointSliceRules, endpointsRules } from './endpoints.js';
import { coreEventRules, eventRules } from './event.js';
import { namespaceRules } from './namespace.js';
import { networkPolicyRules } from './network-policy.js';
import { ingressClassRules, ingressRules } from './networking.js';
import { nodeRules } from './node.js';
import { podRules } from './pod.js';
import { podDisruptionBudgetRules } from './policy.js';
import { limitRangeRules, resourceQuotaRules } from './quota.js';
import { clusterRoleBindingRules, clusterRoleRules, roleBindingRules, roleRules } from './rbac.js';
import { priorityClassRules } from './scheduling.js';
import { serviceRules } from './service.js';
import { statefulSetRules } from './statefulset.js';
import { persistentVolumeClaimRules, persistentVolumeRules } from './storage.js';
import type { KindRules } from './types.js';

export type { FieldError };

/** Rules by "group/Kind" ("" for the core group). */
const rules: Record<string, KindRules> = {
  '/Pod': podRules,
  '/Service': serviceRules,
  '/Endpoints': endpointsRules,
  '/ConfigMap': configMapRules,
  '/Secret': secretRules,
  '/Namespace': namespaceRules,
  '/Node': nodeRules,
  '/Event': coreEventRules,
  '/PersistentVolume': persistentVolumeRules,
  '/PersistentVolumeClaim': persistentVolumeClaimRules,
  '/ResourceQuota': resourceQuotaRules,
  '/LimitRange': limitRangeRules,
  'apps/Deployment': deploymentRules,
  'apps/ReplicaSet': replicaSetRules,
  'apps/DaemonSet': daemonSetRules,
  'apps/StatefulSet': statefulSetRules,
  'apps/ControllerRevision': controllerRevisionRules,
  'batch/Job': jobRules,
  'batch/CronJob': cronJobRules,
  'networking.k8s.io/Ingress': ingressRules,
  'networking.k8s.io/IngressClass': ingressClassRules,
  'networking.k8s.io/NetworkPolicy': networkPolicyRules,
  'coordination.k8s.io/Lease': leaseRules,
  'discovery.k8s.io/EndpointSlice': endpointSliceRules,
  'events.k8s.io/Event': eventRules,
  'policy/PodDisruptionBudget': podDisruptionBudgetRules,
  'scheduling.k8s.io/PriorityClass': priorityClassRules,
  'rbac.authorization.k8s.io/Role': roleRules,
  'rbac.authorization.k8s.io/RoleBinding': roleBindingRules,
  'rbac.authorization.k8s.io/ClusterRole': clusterRoleRules,
  'rbac.authorization.k8s.io/ClusterRoleBinding': clusterRoleBindingRules,
};

const rulesFor = (t: ResourceType): KindRules => rules[`${t.group}/${t.kind}`] ?? {};

/**
 * Validates an object before it is stored: on create when `old` is absent, else as an update of `old`.
 * Expects defaults already applied (required enums such as restartPolicy are checked as set). Never
 * throws; an empty list means valid — wrap a non-empty one with newInvalid for the 422.
 */
export function validate(t: ResourceType, obj: any, old?: any): FieldError[] {
  const r = rulesFor(t);
  if (old === undefined) {
    const meta = validateObjectMeta(obj?.metadata, { namespaced: t.namespaced, nameFn: r.nameFn ?? nameIsDNSSubdomain });
    return [...meta, ...(r.spec?.(obj) ?? [])];
  }
  return [
    ...validateObjectMetaUpdate(obj?.metadata, old?.metadata),
    ...(r.spec?.(obj, old) ?? []),
    ...(r.update?.(obj, old) ?? []),
  ];
}

/**
 * Validates a write to the status subresource: metadata may not change identity, and the kind's
 * status checks apply. The caller keeps the stored spec (status writes never change it).
 */
export function validateStatusUpdate(t: ResourceType, obj: any, old: any): FieldError[] {
  return [...validateObjectMetaUpdate(obj?.metadata, old?.metadata), ...(rulesFor(t).status?.(obj, old) ?? [])];
}
