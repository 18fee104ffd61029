/**
 * @module Protobuf field numbers of autoscaling.v1.CrossVersionObjectReference … autoscaling.v1.ScaleStatus (k8s.io generated.proto, 1.32),
 * as message → field number → [JSON name, type, kind]; see ../schema.ts for the notation.
 */
import type { MessageTable } from '../schema.js';

export const autoscalingV1: MessageTable = {
  'autoscaling.v1.CrossVersionObjectReference': { 1: ['kind', 'string', 'v'], 2: ['name', 'string', 'v'],
    3: ['apiVersion', 'string', 'v'] },
  'autoscaling.v1.HorizontalPodAutoscaler': { 1: ['metadata', 'meta.v1.ObjectMeta', 'v'],
    2: ['spec', 'autoscaling.v1.HorizontalPodAutoscalerSpec', 'v'],
    3: ['status', 'autoscaling.v1.HorizontalPodAutoscalerStatus', 'v'] },
  'autoscaling.v1.HorizontalPodAutoscalerSpec': {
    1: ['scaleTargetRef', 'autoscaling.v1.CrossVersionObjectReference', 'v'], 2: ['minReplicas', 'int32'],
    3: ['maxReplicas', 'int32', 'v'], 4: ['targetCPUUtilizationPercentage', 'int32'] },
  'autoscaling.v1.HorizontalPodAutoscalerStatus': { 1: ['observedGeneration', 'int64'],
    2: ['lastScaleTime', 'meta.v1.Time'], 3: ['currentReplicas', 'int32', 'v'], 4: ['desiredReplicas', 'int32', 'v'],
    5: ['currentCPUUtilizationPercentage', 'int32'] },
  'autoscaling.v1.Scale': { 1: ['metadata', 'meta.v1.ObjectMeta', 'v'], 2: ['spec', 'autoscaling.v1.ScaleSpec', 'v'],
    3: ['status', 'autoscaling.v1.ScaleStatus', 'v'] },
  'autoscaling.v1.ScaleSpec': { 1: ['replicas', 'int32', 'v'] },
  'autoscaling.v1.ScaleStatus': { 1: ['replicas', 'int32', 'v'], 2: ['selector', 'string', 'v'] },
};
