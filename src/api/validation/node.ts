/** @module core/v1 Node rules: taints, pod CIDRs, and the fields that are set once. */
import type { Node, Taint } from 'kubernetes-types/core/v1.js';
import { duplicate, forbidden, invalid, invalidEach, type FieldError } from '../../apimachinery/validation/field.js';
import { validateLabelName } from '../../apimachinery/validation/labels.js';
import { isValidCIDR, isValidLabelValue } from '../../apimachinery/validation/names.js';
import { validateTaintEffect } from './pod-spec.js';
import type { KindRules } from './types.js';

export function validateTaints(taints: Taint[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  taints.forEach((t, i) => {
    const at = `${path}[${i}]`;
    errs.push(...validateLabelName(t.key, `${at}.key`));
    const msgs = isValidLabelValue(t.value ?? '');
    if (msgs.length) errs.push(invalid(`${at}.value`, t.value, msgs.join(';')));
    errs.push(...validateTaintEffect(t.effect, false, `${at}.effect`));
    const key = `${t.effect}\0${t.key}`;
    if (seen.has(key)) {
      errs.push({ ...duplicate(at, t), detail: 'taints must be unique by key and effect pair' });
      return;
    }
    seen.add(key);
  });
  return errs;
}

function validateNode(node: Node): FieldError[] {
  const spec = node.spec ?? {};
  const errs = validateTaints(spec.taints ?? [], 'spec.taints');
  if (spec.podCIDR) errs.push(...invalidEach('spec.podCIDR', spec.podCIDR, isValidCIDR(spec.podCIDR)));
  (spec.podCIDRs ?? []).forEach((c, i) => errs.push(...invalidEach(`spec.podCIDRs[${i}]`, c, isValidCIDR(c))));
  if (spec.podCIDR && spec.podCIDRs?.length && spec.podCIDRs[0] !== spec.podCIDR) {
    errs.push(invalid('spec.podCIDRs', spec.podCIDRs, 'the first value must match podCIDR'));
  }
  return errs;
}

/** podCIDRs and providerID may go from empty to a value, never change after. */
function validateNodeUpdate(node: Node, old: Node): FieldError[] {
  const errs: FieldError[] = [];
  const oldCIDRs = old.spec?.podCIDRs ?? [];
  if (oldCIDRs.length && JSON.stringify(oldCIDRs) !== JSON.stringify(node.spec?.podCIDRs ?? [])) {
    errs.push(forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
  }
  if (old.spec?.providerID && node.spec?.providerID !== old.spec.providerID) {
    errs.push(forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  }
  return errs;
}

export const nodeRules: KindRules = { spec: validateNode, update: validateNodeUpdate };
