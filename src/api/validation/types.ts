/** @module The shape of one kind's validation rules, which index.ts combines with the metadata checks. */
import type { FieldError } from '../../apimachinery/errors.js';
import type { NameFn } from '../../apimachinery/validation/names.js';

export interface KindRules {
  /** How metadata.name is checked (default: DNS-1123 subdomain). */
  nameFn?: NameFn;
  /** Checks beyond metadata, run on create (old undefined) and on update. */
  spec?(obj: any, old?: any): FieldError[];
  /** Update-only checks (immutable fields). */
  update?(obj: any, old: any): FieldError[];
  /** Checks of a write to the status subresource, after the metadata ones. */
  status?(obj: any, old: any): FieldError[];
}
