/**
 * @module Protobuf field numbers of policy.v1.Eviction … policy.v1.PodDisruptionBudgetStatus (k8s.io generated.proto, 1.32),
 * as message → field number → [JSON name, type, kind]; see ../schema.ts for the notation.
 */
import type { MessageTable } from '../schema.js';

export const policyV1: MessageTable = {
  'policy.v1.Eviction': { 1: ['metadata', 'meta.v1.ObjectMeta', 'v'], 2: ['deleteOptions', 'meta.v1.DeleteOptions'] },
  'policy.v1.PodDisruptionBudget': { 1: ['metadata', 'meta.v1.ObjectMeta', 'v'],
    2: ['spec', 'policy.v1.PodDisruptionBudgetSpec', 'v'], 3: ['status', 'policy.v1.PodDisruptionBudgetStatus', 'v'] },
  'policy.v1.PodDisruptionBudgetSpec': { 1: ['minAvailable', 'intstr.IntOrString'],
    2: ['selector', 'meta.v1.LabelSelector'], 3: ['maxUnavailable', 'intstr.IntOrString'],
    4: ['unhealthyPodEvictionPolicy', 'string'] },
  'policy.v1.PodDisruptionBudgetStatus': { 1: ['observedGeneration', 'int64', 'v'],
    2: ['disruptedPods', 'meta.v1.Time', 'm'], 3: ['disruptionsAllowed', 'int32', 'v'],
    4: ['currentHealthy', 'int32', 'v'], 5: ['desiredHealthy', 'int32', 'v'], 6: ['expectedPods', 'int32', 'v'],
    7: ['conditions', 'meta.v1.Condition', 'r'] },
};
