/**
 * @module Labels, annotations and label selectors: metav1validation's checks (keys, values, the 256 KiB
 * annotation budget, selector operators); matching itself lives in apimachinery/labels.
 */
import type { LabelSelector, LabelSelectorRequirement } from 'kubernetes-types/meta/v1.js';
import { fromLabelSelector } from '../labels/label-selector.js';
import type { Selector } from '../labels/selector.js';
import { forbidden, invalid, invalidEach, required, tooLong, type FieldError } from './field.js';
import { isQualifiedName, isValidLabelValue } from './names.js';

export const TotalAnnotationSizeLimitB = 256 * 1024;

export const validateLabelName = (key: string, path: string): FieldError[] => invalidEach(path, key, isQualifiedName(key));

/** Every error points at the map itself (`metadata.labels`), not at the key, as upstream does. */
export function validateLabels(labels: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    errs.push(...validateLabelName(k, path), ...invalidEach(path, v, isValidLabelValue(String(v))));
  }
  return errs;
}

export function validateAnnotations(annotations: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    // Annotation keys are qualified names in which case does not matter.
    errs.push(...invalidEach(path, k, isQualifiedName(k.toLowerCase())));
    size += Buffer.byteLength(k) + Buffer.byteLength(String(v));
  }
  if (size > TotalAnnotationSizeLimitB) errs.push(tooLong(path, TotalAnnotationSizeLimitB));
  return errs;
}

export function validateLabelSelectorRequirement(r: LabelSelectorRequirement, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In': case 'NotIn':
      if (!values.length) errs.push(required(`${path}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists': case 'DoesNotExist':
      if (values.length) errs.push(forbidden(`${path}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    default:
      errs.push(invalid(`${path}.operator`, r.operator, 'not a valid selector operator'));
  }
  errs.push(...validateLabelName(r.key, `${path}.key`));
  values.forEach((v, i) => errs.push(...invalidEach(`${path}.values[${i}]`, v, isValidLabelValue(v))));
  return errs;
}

export function validateLabelSelector(sel: LabelSelector | undefined, path: string): FieldError[] {
  if (!sel) return [];
  const errs = validateLabels(sel.matchLabels, `${path}.matchLabels`);
  (sel.matchExpressions ?? []).forEach((r, i) => errs.push(...validateLabelSelectorRequirement(r, `${path}.matchExpressions[${i}]`)));
  return errs;
}

/** True when the selector has no requirements (it then selects everything). */
export const selectorIsEmpty = (sel: LabelSelector) =>
  Object.keys(sel.matchLabels ?? {}).length + (sel.matchExpressions ?? []).length === 0;

/** LabelSelectorAsSelector: undefined when the selector cannot be converted (callers report it invalid). */
export function asSelector(sel: LabelSelector | undefined): Selector | undefined {
  try {
    return fromLabelSelector(sel);
  } catch {
    return undefined;
  }
}
