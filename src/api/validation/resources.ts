/**
 * @module Compute resource lists (container requests and limits, quota, capacity): resource names,
 * quantity syntax and sign, and core's "requests ≤ limits" rule with upstream's wording.
 */
import type { ResourceRequirements } from 'kubernetes-types/core/v1.js';
import { invalid, invalidEach, required, type FieldError } from '../../apimachinery/validation/field.js';
import { isQualifiedName } from '../../apimachinery/validation/names.js';
import { compare as compareQuantity, parseQuantity, quantityString as formatQuantity, QuantityError, type Quantity } from '../../apimachinery/quantity/index.js';

const standardContainerResources = new Set(['cpu', 'memory', 'ephemeral-storage']);
const isHugePages = (name: string) => name.startsWith('hugepages-');
// Native resources live in kubernetes.io (or have no domain); everything else is an extended resource.
const isNative = (name: string) => !name.includes('/') || name.includes('kubernetes.io/');
// Requests of these may differ from their limits (overcommit); others must be equal.
const overcommitAllowed = (name: string) => isNative(name) && !isHugePages(name);

/** Parses a quantity or reports it at `path`; `nonNegative` adds upstream's sign check. */
export function quantityAt(value: string | number, path: string, errs: FieldError[], nonNegative = true): Quantity | undefined {
  let q: Quantity;
  try {
    q = parseQuantity(String(value));
  } catch (e) {
    if (!(e instanceof QuantityError)) throw e;
    errs.push(invalid(path, value, e.message));
    return undefined;
  }
  if (nonNegative && q.unscaled < 0n) { errs.push(invalid(path, formatQuantity(q), 'must be greater than or equal to 0')); return undefined; }
  return q;
}

function validateContainerResourceName(name: string, path: string): FieldError[] {
  const errs = invalidEach(path, name, isQualifiedName(name));
  if (!name.includes('/')) {
    if (!standardContainerResources.has(name) && !isHugePages(name)) errs.push(invalid(path, name, 'must be a standard resource for containers'));
  } else if (!isNative(name) && name.startsWith('requests.')) {
    errs.push(invalid(path, name, "doesn't follow extended resource name standard"));
  }
  return errs;
}

export function validateResourceRequirements(r: ResourceRequirements | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const limits = new Map<string, Quantity>();
  for (const [name, v] of Object.entries(r?.limits ?? {})) {
    const p = `${path}.limits[${name}]`;
    errs.push(...validateContainerResourceName(name, p));
    const q = quantityAt(v, p, errs);
    if (q) limits.set(name, q);
  }
  for (const [name, v] of Object.entries(r?.requests ?? {})) {
    const p = `${path}.requests[${name}]`;
    errs.push(...validateContainerResourceName(name, p));
    const q = quantityAt(v, p, errs);
    if (!q) continue;
    const limit = limits.get(name);
    if (limit) {
      const cmp = compareQuantity(q, limit);
      if (cmp !== 0 && !overcommitAllowed(name)) {
        errs.push(invalid(`${path}.requests`, formatQuantity(q), `must be equal to ${name} limit of ${formatQuantity(limit)}`));
      } else if (cmp > 0) {
        errs.push(invalid(`${path}.requests`, formatQuantity(q), `must be less than or equal to ${name} limit of ${formatQuantity(limit)}`));
      }
    } else if (!overcommitAllowed(name) && !Object.hasOwn(r?.limits ?? {}, name)) {
      errs.push(required(`${path}.limits`, 'Limit must be set for non overcommitable resources'));
    }
  }
  return errs;
}

/** A plain resource list (quota hard limits, capacity): qualified names and non-negative quantities. */
export function validateResourceList(list: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [name, v] of Object.entries(list ?? {})) {
    const p = `${path}[${name}]`;
    errs.push(...invalidEach(p, name, isQualifiedName(name)));
    quantityAt(v, p, errs);
  }
  return errs;
}
