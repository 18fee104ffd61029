/**
 * @module Protobuf field numbers of meta.v1.Condition … meta.v1.Preconditions (k8s.io generated.proto, 1.32),
 * as message → field number → [JSON name, type, kind]; see ../schema.ts for the notation.
 */
import type { MessageTable } from '../schema.js';

export const meta: MessageTable = {
  'meta.v1.Condition': { 1: ['type', 'string', 'v'], 2: ['status', 'string', 'v'],
    3: ['observedGeneration', 'int64', 'v'], 4: ['lastTransitionTime', 'meta.v1.Time', 'v'],
    5: ['reason', 'string', 'v'], 6: ['message', 'string', 'v'] },
  'meta.v1.DeleteOptions': { 1: ['gracePeriodSeconds', 'int64'], 2: ['preconditions', 'meta.v1.Preconditions'],
    3: ['orphanDependents', 'bool'], 4: ['propagationPolicy', 'string'], 5: ['dryRun', 'string', 'r'],
    6: ['ignoreStoreReadErrorWithClusterBreakingPotential', 'bool'] },
  'meta.v1.LabelSelector': { 1: ['matchLabels', 'string', 'm'],
    2: ['matchExpressions', 'meta.v1.LabelSelectorRequirement', 'r'] },
  'meta.v1.LabelSelectorRequirement': { 1: ['key', 'string', 'v'], 2: ['operator', 'string', 'v'],
    3: ['values', 'string', 'r'] },
  'meta.v1.ManagedFieldsEntry': { 1: ['manager', 'string', 'v'], 2: ['operation', 'string', 'v'],
    3: ['apiVersion', 'string', 'v'], 4: ['time', 'meta.v1.Time'], 6: ['fieldsType', 'string', 'v'],
    7: ['fieldsV1', 'meta.v1.FieldsV1'], 8: ['subresource', 'string', 'v'] },
  'meta.v1.ObjectMeta': { 1: ['name', 'string', 'v'], 2: ['generateName', 'string', 'v'],
    3: ['namespace', 'string', 'v'], 4: ['selfLink', 'string', 'v'], 5: ['uid', 'string', 'v'],
    6: ['resourceVersion', 'string', 'v'], 7: ['generation', 'int64', 'v'],
    8: ['creationTimestamp', 'meta.v1.Time', 'v'], 9: ['deletionTimestamp', 'meta.v1.Time'],
    10: ['deletionGracePeriodSeconds', 'int64'], 11: ['labels', 'string', 'm'], 12: ['annotations', 'string', 'm'],
    13: ['ownerReferences', 'meta.v1.OwnerReference', 'r'], 14: ['finalizers', 'string', 'r'],
    17: ['managedFields', 'meta.v1.ManagedFieldsEntry', 'r'] },
  'meta.v1.OwnerReference': { 5: ['apiVersion', 'string', 'v'], 1: ['kind', 'string', 'v'],
    3: ['name', 'string', 'v'], 4: ['uid', 'string', 'v'], 6: ['controller', 'bool'],
    7: ['blockOwnerDeletion', 'bool'] },
  'meta.v1.Preconditions': { 1: ['uid', 'string'], 2: ['resourceVersion', 'string'] },
};
