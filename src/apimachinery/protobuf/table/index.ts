/**
 * @module The merged protobuf message table, and the kinds a request body may carry at its top level.
 */
import type { MessageTable } from '../schema.js';
import { appsV1 } from './apps-v1.js';
import { autoscalingV1 } from './autoscaling-v1.js';
import { autoscalingV2 } from './autoscaling-v2.js';
import { batchV1 } from './batch-v1.js';
import { coordinationV1 } from './coordination-v1.js';
import { coreV1A } from './core-v1-a.js';
import { coreV1B } from './core-v1-b.js';
import { coreV1C } from './core-v1-c.js';
import { discoveryV1 } from './discovery-v1.js';
import { eventsV1 } from './events-v1.js';
import { meta } from './meta.js';
import { networkingV1 } from './networking-v1.js';
import { policyV1 } from './policy-v1.js';
import { rbacV1 } from './rbac-v1.js';
import { schedulingV1 } from './scheduling-v1.js';

export const messages: MessageTable = {
  ...appsV1,
  ...autoscalingV1,
  ...autoscalingV2,
  ...batchV1,
  ...coordinationV1,
  ...coreV1A,
  ...coreV1B,
  ...coreV1C,
  ...discoveryV1,
  ...eventsV1,
  ...meta,
  ...networkingV1,
  ...policyV1,
  ...rbacV1,
  ...schedulingV1,
};

/** Messages decodable as a whole request body (../decode.ts names one from apiVersion/kind). */
export const topLevel: ReadonlySet<string> = new Set([
  'core.v1.Namespace',
  'core.v1.ConfigMap',
  'core.v1.Secret',
  'core.v1.Service',
  'core.v1.ServiceAccount',
  'core.v1.ResourceQuota',
  'core.v1.Pod',
  'core.v1.Node',
  'core.v1.Event',
  'core.v1.Endpoints',
  'core.v1.PersistentVolumeClaim',
  'core.v1.PersistentVolume',
  'core.v1.LimitRange',
  'core.v1.PodTemplate',
  'core.v1.ReplicationController',
  'core.v1.Binding',
  'apps.v1.Deployment',
  'apps.v1.ReplicaSet',
  'apps.v1.StatefulSet',
  'apps.v1.DaemonSet',
  'apps.v1.ControllerRevision',
  'batch.v1.Job',
  'batch.v1.CronJob',
  'networking.v1.Ingress',
  'networking.v1.IngressClass',
  'networking.v1.NetworkPolicy',
  'policy.v1.PodDisruptionBudget',
  'policy.v1.Eviction',
  'scheduling.v1.PriorityClass',
  'rbac.v1.Role',
  'rbac.v1.RoleBinding',
  'rbac.v1.ClusterRole',
  'rbac.v1.ClusterRoleBinding',
  'coordination.v1.Lease',
  'discovery.v1.EndpointSlice',
  'events.v1.Event',
  'autoscaling.v1.HorizontalPodAutoscaler',
  'autoscaling.v1.Scale',
  'autoscaling.v2.HorizontalPodAutoscaler',
  'meta.v1.DeleteOptions',
]);
