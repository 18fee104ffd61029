/** @module Field selectors: syntax, per-kind supported labels and matching. */
import { type KindRef, convertFieldSelector } from './kinds.js';
import { type FieldSelector, parseFieldTerms } from './selector.js';

export * from './selector.js';
export { type KindRef, convertFieldSelector, fieldsOf, matchesFields } from './kinds.js';

/**
 * `?fieldSelector=` for a kind, as the apiserver handles it: syntax first, then the kind's
 * labels. Throws BadRequest, e.g. `field label not supported: spec.foo`.
 */
export const parseFieldSelector = (kind: KindRef, s: string): FieldSelector => convertFieldSelector(kind, parseFieldTerms(s));
