/** @module scheduling.k8s.io/v1 PriorityClass rules: reserved system names, the user value ceiling, immutable value. */
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import { forbidden, immutable, type FieldError } from '../../apimachinery/validation/field.js';
import { validateEnum } from './pod-spec.js';
import type { KindRules } from './types.js';

export const HighestUserDefinablePriority = 1_000_000_000;
export const systemPriorityClasses: Record<string, number> = { 'system-cluster-critical': 2_000_000_000, 'system-node-critical': 2_000_001_000 };

function systemClassError(pc: PriorityClass): string | undefined {
  const want = systemPriorityClasses[pc.metadata?.name ?? ''];
  if (want === undefined) return `${pc.metadata?.name} is not a known system priority class`;
  return pc.value === want ? undefined : `value of ${pc.metadata?.name} PriorityClass must be ${want}`;
}

function validatePriorityClass(pc: PriorityClass): FieldError[] {
  const errs: FieldError[] = [];
  if ((pc.metadata?.name ?? '').startsWith('system-')) {
    const err = systemClassError(pc);
    if (err) errs.push(forbidden('metadata.name', `priority class names with 'system-' prefix are reserved for system use only. error: ${err}`));
  } else if (pc.value > HighestUserDefinablePriority) {
    errs.push(forbidden('value', `maximum allowed value of a user defined priority is ${HighestUserDefinablePriority}`));
  }
  if (pc.preemptionPolicy !== undefined) errs.push(...validateEnum(pc.preemptionPolicy, ['PreemptLowerPriority', 'Never'], 'preemptionPolicy'));
  return errs;
}

export const priorityClassRules: KindRules = {
  spec: validatePriorityClass,
  update: (pc: PriorityClass, old: PriorityClass) => [
    ...(pc.value !== old.value ? [forbidden('value', 'may not be changed in an update.')] : []),
    ...immutable('preemptionPolicy', pc.preemptionPolicy, old.preemptionPolicy),
  ],
};
