/** @module core/v1 Namespace rules: DNS-label names, spec finalizers, and the phase a status write may set. */
import type { Namespace } from 'kubernetes-types/core/v1.js';
import { invalid, type FieldError } from '../../apimachinery/validation/field.js';
import { nameIsDNSLabel } from '../../apimachinery/validation/names.js';
import { validateFinalizerName } from '../../apimachinery/validation/object-meta.js';
import type { KindRules } from './types.js';

const validateSpecFinalizers = (ns: Namespace): FieldError[] =>
  (ns.spec?.finalizers ?? []).flatMap((f) => validateFinalizerName(f, 'spec.finalizers'));

/** Active while not being deleted, Terminating once it is (the path's capital P is upstream's). */
function validateNamespaceStatus(ns: Namespace): FieldError[] {
  const phase = ns.status?.phase ?? '';
  if (!ns.metadata?.deletionTimestamp) {
    return phase === 'Active' ? [] : [invalid('status.Phase', phase, "may only be 'Active' if `deletionTimestamp` is empty")];
  }
  return phase === 'Terminating' ? [] : [invalid('status.Phase', phase, "may only be 'Terminating' if `deletionTimestamp` is not empty")];
}

export const namespaceRules: KindRules = {
  nameFn: nameIsDNSLabel,
  // Spec finalizers change only through the finalize subresource, which calls `spec` alone.
  spec: validateSpecFinalizers,
  status: validateNamespaceStatus,
};
