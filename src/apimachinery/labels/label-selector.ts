/**
 * @module metav1.LabelSelector (matchLabels + matchExpressions) to a Selector, and its string
 * forms: LabelSelectorAsSelector(...).String() and kubectl's FormatLabelSelector.
 */
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { newBadRequest } from '../errors.js';
import {
  type Operator, type Requirement, type Selector, addRequirements, everything, newRequirement, nothing, selectorString,
} from './selector.js';

const expressionOps: Record<string, Operator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

/**
 * metav1.LabelSelectorAsSelector: null/undefined matches nothing, an empty selector matches
 * everything. Throws BadRequest for an unknown operator or invalid keys/values.
 */
export function fromLabelSelector(ls: LabelSelector | null | undefined): Selector {
  if (ls == null) return nothing();
  const matchLabels = ls.matchLabels ?? {};
  const exprs = ls.matchExpressions ?? [];
  if (Object.keys(matchLabels).length + exprs.length === 0) return everything();
  const reqs: Requirement[] = Object.entries(matchLabels).map(([k, v]) => newRequirement(k, '=', [v]));
  for (const e of exprs) {
    const op = expressionOps[e.operator];
    if (!op) throw newBadRequest(`${JSON.stringify(e.operator)} is not a valid label selector operator`);
    reqs.push(newRequirement(e.key, op, e.values ?? []));
  }
  return addRequirements(everything(), ...reqs);
}

/** LabelSelectorAsSelector(ls).String(): what a scale subresource reports as status.selector. */
export const selectorToString = (ls: LabelSelector | null | undefined) => selectorString(fromLabelSelector(ls));

/** metav1.FormatLabelSelector, as printed in SELECTOR columns: "<none>" when empty, "<error>" when invalid. */
export function formatLabelSelector(ls: LabelSelector | null | undefined): string {
  try {
    return selectorToString(ls) || '<none>';
  } catch {
    return '<error>';
  }
}
