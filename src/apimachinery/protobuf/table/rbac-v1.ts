/**
 * @module Protobuf field numbers of rbac.v1.AggregationRule … rbac.v1.Subject (k8s.io generated.proto, 1.32),
 * as message → field number → [JSON name, type, kind]; see ../schema.ts for the notation.
 */
import type { MessageTable } from '../schema.js';

export const rbacV1: MessageTable = {
  'rbac.v1.AggregationRule': { 1: ['clusterRoleSelectors', 'meta.v1.LabelSelector', 'r'] },
  'rbac.v1.ClusterRole': { 1: ['metadata', 'meta.v1.ObjectMeta', 'v'], 2: ['rules', 'rbac.v1.PolicyRule', 'r'],
    3: ['aggregationRule', 'rbac.v1.AggregationRule'] },
  'rbac.v1.ClusterRoleBinding': { 1: ['metadata', 'meta.v1.ObjectMeta', 'v'], 2: ['subjects', 'rbac.v1.Subject', 'r'],
    3: ['roleRef', 'rbac.v1.RoleRef', 'v'] },
  'rbac.v1.PolicyRule': { 1: ['verbs', 'string', 'r'], 2: ['apiGroups', 'string', 'r'],
    3: ['resources', 'string', 'r'], 4: ['resourceNames', 'string', 'r'], 5: ['nonResourceURLs', 'string', 'r'] },
  'rbac.v1.Role': { 1: ['metadata', 'meta.v1.ObjectMeta', 'v'], 2: ['rules', 'rbac.v1.PolicyRule', 'r'] },
  'rbac.v1.RoleBinding': { 1: ['metadata', 'meta.v1.ObjectMeta', 'v'], 2: ['subjects', 'rbac.v1.Subject', 'r'],
    3: ['roleRef', 'rbac.v1.RoleRef', 'v'] },
  'rbac.v1.RoleRef': { 1: ['apiGroup', 'string', 'v'], 2: ['kind', 'string', 'v'], 3: ['name', 'string', 'v'] },
  'rbac.v1.Subject': { 1: ['kind', 'string', 'v'], 2: ['apiGroup', 'string', 'v'], 3: ['name', 'string', 'v'],
    4: ['namespace', 'string', 'v'] },
};
