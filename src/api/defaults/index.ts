/**
 * @module Defaulting entry point the API server calls before validation on create and update: the
 * registered kind's SetDefaults_* functions (pkg/apis/<group>/v1/defaults.go). Mutates in place;
 * kinds without defaults are left alone.
 */
import type { ResourceType } from '../scheme.js';
import { defaultDaemonSet, defaultDeployment, defaultReplicaSet, defaultStatefulSet } from './apps.js';
import { defaultCronJob, defaultJob } from './batch.js';
import {
  defaultEndpoints, defaultLimitRange, defaultNamespace, defaultNode, defaultPersistentVolume, defaultPersistentVolumeClaim,
  defaultSecret, defaultService,
} from './core.js';
import { defaultEndpointSlice } from './discovery.js';
import { defaultIngressClass, defaultNetworkPolicy } from './networking.js';
import { defaultPod } from './pod.js';
import { defaultBinding } from './rbac.js';
import { defaultPriorityClass } from './scheduling.js';

export { jobSelectorDefaults } from './batch.js';

/** Defaulters by "group/Kind" ("" for the core group). */
const defaulters: Record<string, (obj: any) => void> = {
  '/Pod': defaultPod,
  '/Service': defaultService,
  '/Namespace': defaultNamespace,
  '/Secret': defaultSecret,
  '/PersistentVolume': defaultPersistentVolume,
  '/PersistentVolumeClaim': defaultPersistentVolumeClaim,
  '/Endpoints': defaultEndpoints,
  '/Node': defaultNode,
  '/LimitRange': defaultLimitRange,
  'apps/Deployment': defaultDeployment,
  'apps/ReplicaSet': defaultReplicaSet,
  'apps/DaemonSet': defaultDaemonSet,
  'apps/StatefulSet': defaultStatefulSet,
  'batch/Job': defaultJob,
  'batch/CronJob': defaultCronJob,
  'networking.k8s.io/NetworkPolicy': defaultNetworkPolicy,
  'networking.k8s.io/IngressClass': defaultIngressClass,
  'discovery.k8s.io/EndpointSlice': defaultEndpointSlice,
  'scheduling.k8s.io/PriorityClass': defaultPriorityClass,
  'rbac.authorization.k8s.io/RoleBinding': defaultBinding,
  'rbac.authorization.k8s.io/ClusterRoleBinding': defaultBinding,
};

/** Fills in upstream's defaults on `obj` (mutated). Tolerates missing spec sections. */
export function applyDefaults(t: ResourceType, obj: any): void {
  if (obj && typeof obj === 'object') defaulters[`${t.group}/${t.kind}`]?.(obj);
}
