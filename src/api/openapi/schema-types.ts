/**
 * @module The shape of the OpenAPI schemas of built-in kinds, as the server serves them and as
 * patching (strategic merge, server-side apply) and strict field validation read them.
 */

export interface Schema {
  description?: string;
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  /** '#/components/schemas/<name>' (v3) or '#/definitions/<name>' (v2). */
  $ref?: string;
  allOf?: Schema[];
  /** OpenAPI v3 only: IntOrString and Quantity are served as a oneOf of their JSON types, as upstream. */
  oneOf?: Schema[];
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  'x-kubernetes-patch-merge-key'?: string;
  /** 'merge', 'retainKeys', 'merge,retainKeys' or 'replace'. */
  'x-kubernetes-patch-strategy'?: string;
  /** 'atomic' | 'set' | 'map'. */
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: string;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string }[];
}

/** Resolves schemas by name and follows $ref; implemented by schema.ts over the generated definitions. */
export interface SchemaLookup {
  /** The root schema of a kind (already resolved), or undefined for unknown kinds. */
  forKind(apiVersion: string, kind: string): Schema | undefined;
  /** Follows $ref / single allOf until a concrete schema. */
  resolve(s: Schema): Schema;
}
