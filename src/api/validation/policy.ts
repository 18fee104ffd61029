/** @module policy/v1 PodDisruptionBudget rules: exactly one of minAvailable and maxUnavailable, as ints or percents. */
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { invalid, nonNegative, notSupported, type FieldError } from '../../apimachinery/validation/field.js';
import { validateLabelSelector } from '../../apimachinery/validation/labels.js';
import type { KindRules } from './types.js';
import { isNotMoreThan100Percent, validatePositiveIntOrPercent } from './workload.js';

const evictionPolicies = ['AlwaysAllow', 'IfHealthyBudget'];

function validatePDB(pdb: PodDisruptionBudget): FieldError[] {
  const spec = pdb.spec ?? {};
  const errs: FieldError[] = [];
  if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined) {
    errs.push(invalid('spec', spec, 'minAvailable and maxUnavailable cannot be both set'));
  }
  for (const f of ['minAvailable', 'maxUnavailable'] as const) {
    if (spec[f] !== undefined) errs.push(...validatePositiveIntOrPercent(spec[f], `spec.${f}`), ...isNotMoreThan100Percent(spec[f], `spec.${f}`));
  }
  errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  const uhp = spec.unhealthyPodEvictionPolicy;
  if (uhp !== undefined && !evictionPolicies.includes(uhp)) errs.push(notSupported('spec.unhealthyPodEvictionPolicy', uhp, evictionPolicies));
  return errs;
}

function validatePDBStatus(pdb: PodDisruptionBudget): FieldError[] {
  const s = pdb.status;
  return [
    ...nonNegative('status.disruptionsAllowed', s?.disruptionsAllowed),
    ...nonNegative('status.currentHealthy', s?.currentHealthy),
    ...nonNegative('status.desiredHealthy', s?.desiredHealthy),
    ...nonNegative('status.expectedPods', s?.expectedPods),
  ];
}

export const podDisruptionBudgetRules: KindRules = { spec: validatePDB, status: validatePDBStatus };
