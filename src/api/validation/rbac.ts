/** @module rbac.authorization.k8s.io/v1 rules: path-segment names, policy rules, role references and subjects. */
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef, Subject } from 'kubernetes-types/rbac/v1.js';
import { invalid, invalidEach, notSupported, required, type FieldError } from '../../apimachinery/validation/field.js';
import { nameIsDNSSubdomain, nameIsPathSegment } from '../../apimachinery/validation/names.js';
import type { KindRules } from './types.js';

const group = 'rbac.authorization.k8s.io';

function validatePolicyRule(r: PolicyRule, namespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!r.verbs?.length) errs.push(required(`${path}.verbs`, 'verbs must contain at least one value'));
  if (r.nonResourceURLs?.length) {
    if (namespaced) errs.push(invalid(`${path}.nonResourceURLs`, r.nonResourceURLs, 'namespaced rules cannot apply to non-resource URLs'));
    if (r.apiGroups?.length || r.resources?.length || r.resourceNames?.length) {
      errs.push(invalid(`${path}.nonResourceURLs`, r.nonResourceURLs, 'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return errs;
  }
  if (!r.apiGroups?.length) errs.push(required(`${path}.apiGroups`, 'resource rules must supply at least one api group'));
  if (!r.resources?.length) errs.push(required(`${path}.resources`, 'resource rules must supply at least one resource'));
  return errs;
}

function validateSubject(s: Subject, namespaced: boolean, path: string): FieldError[] {
  const errs = s.name ? [] : [required(`${path}.name`)];
  switch (s.kind) {
    case 'ServiceAccount':
      if (s.name) errs.push(...invalidEach(`${path}.name`, s.name, nameIsDNSSubdomain(s.name, false)));
      if (s.apiGroup) errs.push(notSupported(`${path}.apiGroup`, s.apiGroup, ['']));
      if (!namespaced && !s.namespace) errs.push(required(`${path}.namespace`));
      break;
    case 'User': case 'Group':
      if (s.apiGroup !== group) errs.push(notSupported(`${path}.apiGroup`, s.apiGroup ?? '', [group]));
      break;
    default:
      errs.push(notSupported(`${path}.kind`, s.kind, ['ServiceAccount', 'User', 'Group']));
  }
  return errs;
}

function validateBinding(ref: RoleRef | undefined, subjects: Subject[] | undefined, kinds: string[], namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (ref?.apiGroup !== group) errs.push(notSupported('roleRef.apiGroup', ref?.apiGroup ?? '', [group]));
  if (!kinds.includes(ref?.kind ?? '')) errs.push(notSupported('roleRef.kind', ref?.kind ?? '', kinds));
  if (!ref?.name) errs.push(required('roleRef.name'));
  else errs.push(...invalidEach('roleRef.name', ref.name, nameIsPathSegment(ref.name, false)));
  (subjects ?? []).forEach((s, i) => errs.push(...validateSubject(s, namespaced, `subjects[${i}]`)));
  return errs;
}

const roleRefImmutable = (b: { roleRef?: RoleRef }, old: { roleRef?: RoleRef }) =>
  JSON.stringify(b.roleRef) === JSON.stringify(old.roleRef) ? [] : [invalid('roleRef', b.roleRef, 'cannot change roleRef')];

export const roleRules: KindRules = {
  nameFn: nameIsPathSegment,
  spec: (r: Role) => (r.rules ?? []).flatMap((rule, i) => validatePolicyRule(rule, true, `rules[${i}]`)),
};
export const clusterRoleRules: KindRules = {
  nameFn: nameIsPathSegment,
  spec: (r: ClusterRole) => {
    const errs = (r.rules ?? []).flatMap((rule, i) => validatePolicyRule(rule, false, `rules[${i}]`));
    if (r.aggregationRule && !r.aggregationRule.clusterRoleSelectors?.length) {
      errs.push(required('aggregationRule.clusterRoleSelectors', 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
    }
    return errs;
  },
};
export const roleBindingRules: KindRules = {
  nameFn: nameIsPathSegment,
  spec: (b: RoleBinding) => validateBinding(b.roleRef, b.subjects, ['Role', 'ClusterRole'], true),
  update: roleRefImmutable,
};
export const clusterRoleBindingRules: KindRules = {
  nameFn: nameIsPathSegment,
  spec: (b: ClusterRoleBinding) => validateBinding(b.roleRef, b.subjects, ['ClusterRole'], false),
  update: roleRefImmutable,
};
