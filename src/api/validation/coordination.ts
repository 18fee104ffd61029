/** @module coordination.k8s.io/v1 Lease rules: a positive duration and non-negative transitions. */
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { invalid, type FieldError } from '../../apimachinery/validation/field.js';
import type { KindRules } from './types.js';

function validateLease(l: Lease): FieldError[] {
  const errs: FieldError[] = [];
  const d = l.spec?.leaseDurationSeconds, t = l.spec?.leaseTransitions;
  if (d !== undefined && d <= 0) errs.push(invalid('spec.leaseDurationSeconds', d, 'must be greater than 0'));
  if (t !== undefined && t < 0) errs.push(invalid('spec.leaseTransitions', t, 'must be greater than or equal to 0'));
  return errs;
}

export const leaseRules: KindRules = { spec: validateLease };
