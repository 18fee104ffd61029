/**
 * @module Checks shared by the workload kinds (apps, batch, policy): int-or-percent values, the
 * selector-versus-template rule, and replica-count status fields.
 */
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { invalid, invalidEach, nonNegative, notSupported, required, type FieldError } from '../../apimachinery/validation/field.js';
import { asSelector, selectorIsEmpty, validateLabelSelector } from '../../apimachinery/validation/labels.js';
import { isEmpty, matches } from '../../apimachinery/labels/selector.js';
import { isValidPercent } from '../../apimachinery/validation/names.js';
import { validatePodTemplateSpec } from './pod-spec.js';

export type IntOrString = number | string;

export function validatePositiveIntOrPercent(v: IntOrString | undefined, path: string): FieldError[] {
  if (typeof v === 'string') return invalidEach(path, v, isValidPercent(v));
  if (typeof v === 'number') return nonNegative(path, v);
  return [];
}

const percentValue = (v: IntOrString | undefined) =>
  typeof v === 'string' && /^[0-9]+%$/.test(v) ? Number(v.slice(0, -1)) : undefined;

/** The number in an int-or-percent ("25%" → 25), for the "both zero" checks. */
export const intOrPercentValue = (v: IntOrString | undefined) => (typeof v === 'number' ? v : percentValue(v) ?? 0);

export function isNotMoreThan100Percent(v: IntOrString | undefined, path: string): FieldError[] {
  const p = percentValue(v);
  return p !== undefined && p > 100 ? [invalid(path, v, 'must not be greater than 100%')] : [];
}

/** A required, non-empty, valid selector (`kind` names the workload in upstream's message). */
export function validateWorkloadSelector(sel: LabelSelector | undefined, kind: string, path: string): FieldError[] {
  if (!sel) return [required(path)];
  const errs = validateLabelSelector(sel, path);
  if (selectorIsEmpty(sel)) errs.push(invalid(path, sel, `empty selector is invalid for ${kind}`));
  return errs;
}

/** The template's labels must be selected by a non-empty selector. */
export function validateSelectorMatchesTemplate(sel: LabelSelector | undefined, template: PodTemplateSpec | undefined, path: string): FieldError[] {
  const s = asSelector(sel);
  if (!s) return sel ? [invalid(path.replace(/template$/, 'selector'), sel, 'invalid label selector')] : [];
  const labels = template?.metadata?.labels ?? {};
  return !isEmpty(s) && !matches(s, labels) ? [invalid(`${path}.metadata.labels`, labels, '`selector` does not match template `labels`')] : [];
}

/** A template for pods that run forever (ReplicaSet, Deployment, DaemonSet, StatefulSet). */
export function validateLongRunningTemplate(template: PodTemplateSpec | undefined, kind: string, path: string): FieldError[] {
  const errs = validatePodTemplateSpec(template, path);
  const policy = template?.spec?.restartPolicy;
  if (policy !== 'Always') errs.push(notSupported(`${path}.spec.restartPolicy`, policy ?? '', ['Always']));
  const ads = template?.spec?.activeDeadlineSeconds;
  if (ads !== undefined) errs.push(invalid(`${path}.spec.activeDeadlineSeconds`, ads, `activeDeadlineSeconds in ${kind} is not Supported`));
  return errs;
}

/** Replica counters in a status: non-negative and bounded by status.replicas (and ready by available). */
export function validateReplicaStatus(status: object | undefined, counters: string[]): FieldError[] {
  const s = (status ?? {}) as Record<string, number | undefined>;
  const errs = nonNegative('status.observedGeneration', s.observedGeneration);
  for (const c of ['replicas', ...counters]) errs.push(...nonNegative(`status.${c}`, s[c]));
  for (const c of counters) {
    if (c !== 'unavailableReplicas' && (s[c] ?? 0) > (s.replicas ?? 0)) errs.push(invalid(`status.${c}`, s[c], 'cannot be greater than status.replicas'));
  }
  if (counters.includes('availableReplicas') && (s.availableReplicas ?? 0) > (s.readyReplicas ?? 0)) {
    errs.push(invalid('status.availableReplicas', s.availableReplicas, 'cannot be greater than readyReplicas'));
  }
  return errs;
}
