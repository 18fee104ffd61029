/**
 * @module Strict field validation (fieldValidation=Strict|Warn): finds the fields of an object its
 * schema does not declare and words them as apiserver's strict JSON decoding does.
 */
import { schemas } from './schema.js';
import type { Schema } from './schema-types.js';

/** sigs.k8s.io/json stops collecting strict errors at 100. */
const MAX_ERRORS = 100;

/**
 * Paths of the fields in `obj` that the kind's schema does not declare, in document order, as
 * upstream's decoder names them: `spec.foo`, `spec.containers[0].bar`. Map keys (labels, resource
 * limits) are data, never unknown. Returns [] for kinds without a schema (nothing to check against).
 */
export function unknownFields(apiVersion: string, kind: string, obj: unknown): string[] {
  const root = schemas.forKind(apiVersion, kind);
  return root ? unknownFieldsIn(root, obj) : [];
}

/** unknownFields against any schema, e.g. a custom resource's structural schema. */
export function unknownFieldsIn(schema: Schema, obj: unknown): string[] {
  const found: string[] = [];
  walk(obj, schema, '', found);
  return found;
}

function walk(value: unknown, schema: Schema, path: string, found: string[]): void {
  if (found.length >= MAX_ERRORS || value === null || typeof value !== 'object') return;
  const s = schemas.resolve(schema);
  // Types with their own JSON decoding (IntOrString, Quantity, Time, RawExtension, FieldsV1) accept any content.
  if (s['x-kubernetes-preserve-unknown-fields'] || s['x-kubernetes-int-or-string'] || s.type === 'string') return;
  if (Array.isArray(value)) {
    if (s.items) value.forEach((item, i) => walk(item, s.items!, `${path}[${i}]`, found));
    return;
  }
  const fields = value as Record<string, unknown>;
  const key = (k: string) => (path ? `${path}.${k}` : k);
  if (s.properties) {
    for (const [k, v] of Object.entries(fields)) {
      const field = s.properties[k];
      if (!field) {
        if (found.length < MAX_ERRORS && !found.includes(key(k))) found.push(key(k));
      } else {
        walk(v, field, key(k), found);
      }
    }
  } else if (typeof s.additionalProperties === 'object') {
    for (const [k, v] of Object.entries(fields)) walk(v, s.additionalProperties, key(k), found);
  }
}

/** One strict error as the decoder words it: `unknown field "spec.foo"` (also the text of a Warn-mode warning). */
export const unknownFieldError = (path: string) => `unknown field ${JSON.stringify(path)}`;

/** `strict decoding error: unknown field "a", unknown field "b"`: a PATCH's BadRequest message. */
export const strictDecodingError = (paths: string[]) =>
  `strict decoding error: ${paths.map(unknownFieldError).join(', ')}`;

/**
 * The BadRequest message of a create or update with unknown fields, as apiserver's transformDecodeError
 * words it: `Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo"`.
 */
export const cannotBeHandledMessage = (kind: string, version: string, paths: string[]) =>
  `${kind} in version ${JSON.stringify(version)} cannot be handled as a ${kind}: ${strictDecodingError(paths)}`;
