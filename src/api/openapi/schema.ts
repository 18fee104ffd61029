/**
 * @module SchemaLookup over the generated definitions.json (scripts/gen-openapi.ts): find a kind's
 * schema, follow $refs, and walk into fields and list items.
 */
import { readFileSync } from 'node:fs';
import type { Schema, SchemaLookup } from './schema-types.js';

// Read at runtime rather than imported: a 0.5 MB JSON import would make tsc infer a giant literal type.
export const definitions: Readonly<Record<string, Schema>> =
  JSON.parse(readFileSync(new URL('./definitions.json', import.meta.url), 'utf8'));

const byGVK = new Map<string, string>();
for (const [name, s] of Object.entries(definitions)) {
  const gvks = s['x-kubernetes-group-version-kind'] ?? [];
  // meta types (DeleteOptions, WatchEvent) claim every group version; a kind's own schema is the one with one GVK.
  if (gvks.length !== 1) continue;
  const { group, version, kind } = gvks[0];
  byGVK.set(`${group ? `${group}/${version}` : version}|${kind}`, name);
}

/** The definition name of a '#/definitions/<name>' or '#/components/schemas/<name>' reference. */
export const refName = (ref: string) => ref.slice(ref.lastIndexOf('/') + 1);

/** The definition name serving a kind, e.g. ('apps/v1', 'Deployment') → 'io.k8s.api.apps.v1.Deployment'. */
export const definitionNameOf = (apiVersion: string, kind: string) => byGVK.get(`${apiVersion}|${kind}`);

function resolve(s: Schema): Schema {
  for (let depth = 0; depth < 32; depth++) {
    if (s.$ref) {
      const target = definitions[refName(s.$ref)];
      if (!target) throw new Error(`openapi: unknown schema ${s.$ref}`);
      s = target;
    } else if (s.allOf?.length === 1 && !s.properties) {
      s = s.allOf[0];
    } else {
      return s;
    }
  }
  throw new Error('openapi: $ref cycle');
}

export const schemas: SchemaLookup = {
  forKind(apiVersion, kind) {
    const name = definitionNameOf(apiVersion, kind);
    return name ? definitions[name] : undefined;
  },
  resolve,
};

/**
 * The schema of a field (or of a map's values): the referenced type, resolved, carrying the field's own
 * description and x-kubernetes-* patch metadata (which upstream puts on the field, not on the type).
 */
export function child(schema: Schema, field: string): Schema | undefined {
  const parent = resolve(schema);
  const own = parent.properties?.[field] ??
    (typeof parent.additionalProperties === 'object' ? parent.additionalProperties : undefined);
  if (!own) return undefined;
  if (!own.$ref && !own.allOf) return own;
  const { $ref: _ref, allOf: _allOf, ...fieldLevel } = own;
  return { ...resolve(own), ...fieldLevel };
}

/** The resolved item schema of a list schema, or undefined when it is not a list. */
export function itemOf(schema: Schema): Schema | undefined {
  const items = resolve(schema).items;
  return items && resolve(items);
}
