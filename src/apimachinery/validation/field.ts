/**
 * @module Field-error constructors named as apimachinery's field package (field.Required, field.Invalid, …),
 * so validators read like their upstream counterparts and produce the same types and details.
 */
import type { FieldError } from '../errors.js';

export type { FieldError };

export const required = (field: string, detail = ''): FieldError =>
  detail ? { type: 'FieldValueRequired', field, detail } : { type: 'FieldValueRequired', field };

export const invalid = (field: string, value: unknown, detail: string): FieldError =>
  ({ type: 'FieldValueInvalid', field, value, detail });

/** field.NotSupported: the detail lists the valid values quoted, in the given order. */
export const notSupported = (field: string, value: unknown, valid: readonly string[]): FieldError => ({
  type: 'FieldValueNotSupported', field, value,
  detail: valid.length ? `supported values: ${valid.map((v) => JSON.stringify(v)).join(', ')}` : '',
});

export const duplicate = (field: string, value: unknown): FieldError => ({ type: 'FieldValueDuplicate', field, value });

export const forbidden = (field: string, detail: string): FieldError => ({ type: 'FieldValueForbidden', field, detail });

export const tooLong = (field: string, maxBytes: number): FieldError =>
  ({ type: 'FieldValueTooLong', field, detail: `may not be more than ${maxBytes} bytes` });

export const tooMany = (field: string, actual: number, max: number): FieldError =>
  ({ type: 'FieldValueTooMany', field, value: actual, detail: `must have at most ${max} items` });

/**
 * field.NotFound. FieldErrorType has no NotFound member yet, so this reports Invalid with upstream's
 * wording as the detail (`…: Invalid value: "x": not found`) until errors.ts grows one.
 */
export const notFound = (field: string, value: unknown): FieldError => invalid(field, value, 'not found');

/** One Invalid error per message, as upstream loops `for _, msg := range IsX(v)`. */
export const invalidEach = (field: string, value: unknown, msgs: string[]): FieldError[] =>
  msgs.map((m) => invalid(field, value, m));

/** The shared `field is immutable` check (ValidateImmutableField), by deep JSON equality. */
export function immutable(field: string, next: unknown, prev: unknown): FieldError[] {
  return deepEqual(next, prev) ? [] : [invalid(field, next, 'field is immutable')];
}

export const nonNegative = (field: string, value: number | undefined): FieldError[] =>
  value !== undefined && value < 0 ? [invalid(field, value, 'must be greater than or equal to 0')] : [];

const isEmpty = (v: unknown) =>
  v === undefined || v === null || (Array.isArray(v) && v.length === 0) ||
  (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0);

/**
 * Structural equality of JSON values, as apimachinery's Semantic.DeepEqual: absent, null, empty list and
 * empty map compare equal (Go cannot tell a nil slice from an empty one after a round trip either).
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isEmpty(a) && isEmpty(b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ao = a as Record<string, unknown>, bo = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const k of keys) if (!deepEqual(ao[k], bo[k])) return false;
  return true;
}
