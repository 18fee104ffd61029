/** @module rbac.authorization.k8s.io/v1 defaulting: roleRef and User/Group subjects name the RBAC group. */
import type { RoleRef, Subject } from 'kubernetes-types/rbac/v1.js';

const group = 'rbac.authorization.k8s.io';

export function defaultBinding(b: { roleRef?: RoleRef; subjects?: Subject[] }): void {
  if (b.roleRef) b.roleRef.apiGroup ||= group;
  for (const s of b.subjects ?? []) {
    if (!s.apiGroup && (s.kind === 'User' || s.kind === 'Group')) s.apiGroup = group;
  }
}
