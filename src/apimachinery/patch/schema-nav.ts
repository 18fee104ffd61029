/**
 * @module Walking an OpenAPI schema through SchemaLookup: a field's or list item's schema, resolved,
 * keeping the x-kubernetes-* metadata that upstream puts on the field rather than on the type.
 */
import type { Schema, SchemaLookup } from '../../api/openapi/schema-types.js';

/** `raw` resolved through $ref/allOf, with raw's own x-kubernetes-* extensions laid on top. */
export function resolveField(lookup: SchemaLookup, raw: Schema | undefined): Schema | undefined {
  if (!raw) return undefined;
  const resolved = lookup.resolve(raw);
  if (resolved === raw) return raw;
  const out: Schema = { ...resolved };
  for (const [k, v] of Object.entries(raw)) {
    if (k.startsWith('x-kubernetes-')) (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

/** The schema of member `key` of an object: the declared property, else the map's value schema. */
export function fieldSchema(lookup: SchemaLookup, parent: Schema | undefined, key: string): Schema | undefined {
  if (!parent) return undefined;
  const own = parent.properties?.[key] ??
    (typeof parent.additionalProperties === 'object' ? parent.additionalProperties : undefined);
  return resolveField(lookup, own);
}

/** The schema of a list's items. */
export const itemSchema = (lookup: SchemaLookup, list: Schema | undefined) => resolveField(lookup, list?.items);

/** Strategic-merge metadata of a field: its strategies ('merge', 'retainKeys', 'replace') and merge key. */
export function patchMeta(s: Schema | undefined): { strategies: string[]; mergeKey: string } {
  const strategy = s?.['x-kubernetes-patch-strategy'] ?? '';
  return { strategies: strategy ? strategy.split(',') : [], mergeKey: s?.['x-kubernetes-patch-merge-key'] ?? '' };
}
