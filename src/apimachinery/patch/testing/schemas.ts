/**
 * @module Test helpers: a SchemaLookup over small hand-written OpenAPI v3 components, and the
 * mergeItem schema of upstream's strategicpatch tests (testdata/swagger-merge-item-v3.json).
 */
import type { Schema, SchemaLookup } from '../../../api/openapi/schema-types.js';

/** `kinds` maps 'apiVersion|kind' to a component name. */
export function lookupOf(components: Record<string, Schema>, kinds: Record<string, string>): SchemaLookup {
  const resolve = (s: Schema): Schema => {
    if (s.$ref) return resolve(components[s.$ref.slice(s.$ref.lastIndexOf('/') + 1)]);
    if (s.allOf?.length === 1 && !s.properties) return resolve(s.allOf[0]);
    return s;
  };
  return {
    forKind: (apiVersion, kind) => {
      const name = kinds[`${apiVersion}|${kind}`];
      return name ? components[name] : undefined;
    },
    resolve,
  };
}

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

export const mergeItemComponents: Record<string, Schema> = {
  mergeItem: {
    properties: {
      name: { type: 'string' },
      value: { type: 'string' },
      other: { type: 'string' },
      mergingList: {
        type: 'array', items: { allOf: [ref('mergeItem')] },
        'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge',
      },
      nonMergingList: { type: 'array', items: ref('mergeItem') },
      mergingIntList: { type: 'array', items: { type: 'integer' }, 'x-kubernetes-patch-strategy': 'merge' },
      nonMergingIntList: { type: 'array', items: { type: 'integer' } },
      mergeItemPtr: {
        allOf: [ref('mergeItem')], 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge',
      },
      simpleMap: { type: 'object', additionalProperties: { type: 'string' } },
      replacingItem: { allOf: [ref('rawExtension')], 'x-kubernetes-patch-strategy': 'replace' },
      retainKeysMap: { allOf: [ref('retainKeysMergeItem')], 'x-kubernetes-patch-strategy': 'retainKeys' },
      retainKeysMergingList: {
        type: 'array', items: ref('mergeItem'),
        'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge,retainKeys',
      },
    },
  },
  retainKeysMergeItem: {
    properties: {
      name: { type: 'string' },
      value: { type: 'string' },
      other: { type: 'string' },
      simpleMap: { type: 'object', additionalProperties: { type: 'string' } },
      mergingList: {
        type: 'array', items: ref('mergeItem'),
        'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge',
      },
      nonMergingList: { type: 'array', items: ref('mergeItem') },
      mergingIntList: { type: 'array', items: { type: 'integer' }, 'x-kubernetes-patch-strategy': 'merge' },
    },
  },
  rawExtension: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
};

export const mergeItemLookup = lookupOf(mergeItemComponents, { 'fake-group/some-version|mergeItem': 'mergeItem' });
