import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Schema } from '../../api/openapi/schema-types.js';
import { StatusError } from '../errors.js';
import type { JSONObject } from './json.js';
import { applyStrategicMergePatch } from './strategic-merge-patch.js';
import { lookupOf, mergeItemLookup } from './testing/schemas.js';

const mergeItem = { schemas: mergeItemLookup, apiVersion: 'fake-group/some-version', kind: 'mergeItem' };
const smp = (original: JSONObject, patch: unknown) => applyStrategicMergePatch(original, patch, mergeItem);

// Adapted from k8s.io/apimachinery/pkg/util/strategicpatch/patch_test.go: (original, patch) → result.
const upstream: { name: string; original: JSONObject; patch: JSONObject; want: JSONObject }[] = [
  { name: 'unique scalars when merging lists', original: { mergingIntList: [1, 2] }, patch: { mergingIntList: [2, 3] }, want: { mergingIntList: [1, 2, 3] } },
  { name: 'delete map from nested map', original: { simpleMap: { key1: '1', key2: '1' } }, patch: { simpleMap: { $patch: 'delete' } }, want: { simpleMap: {} } },
  { name: 'delete all items from merging list', original: { mergingList: [{ name: '1' }, { name: '2' }] }, patch: { mergingList: [{ $patch: 'replace' }] }, want: { mergingList: [] } },
  { name: 'merge empty merging lists', original: { mergingList: [] }, patch: { mergingList: [] }, want: { mergingList: [] } },
  { name: 'delete all keys from map', original: { name: '1', value: '1' }, patch: { $patch: 'replace' }, want: {} },
  { name: 'add key and delete all keys from map', original: { name: '1', value: '1' }, patch: { other: 'a', $patch: 'replace' }, want: { other: 'a' } },
  {
    name: 'delete all duplicate entries in a merging list',
    original: { mergingList: [{ name: '1' }, { name: '1' }, { name: '2', value: 'a' }, { name: '3' }, { name: '3' }] },
    patch: { mergingList: [{ name: '1', $patch: 'delete' }, { name: '1', $patch: 'delete' }, { name: '3', $patch: 'delete' }, { name: '3', $patch: 'delete' }] },
    want: { mergingList: [{ name: '2', value: 'a' }] },
  },
  { name: 'retainKeys map can add a field when no retainKeys directive present', original: { retainKeysMap: { name: 'foo' } }, patch: { retainKeysMap: { value: 'bar' } }, want: { retainKeysMap: { name: 'foo', value: 'bar' } } },
  { name: 'retainKeys map can delete a field when no retainKeys directive present', original: { retainKeysMap: { name: 'foo', value: 'a' } }, patch: { retainKeysMap: { value: null } }, want: { retainKeysMap: { name: 'foo' } } },
  { name: 'retainKeys map merge an empty map', original: { retainKeysMap: { name: 'foo', value: 'a' } }, patch: { retainKeysMap: {} }, want: { retainKeysMap: { name: 'foo', value: 'a' } } },
  {
    name: 'retainKeys list can change a field when no retainKeys directive present',
    original: { retainKeysMergingList: [{ name: 'bar' }, { name: 'foo', value: 'a' }] },
    patch: { retainKeysMergingList: [{ name: 'foo', value: 'b' }] },
    want: { retainKeysMergingList: [{ name: 'bar' }, { name: 'foo', value: 'b' }] },
  },
  {
    name: 'preserve the order from the patch in a merging list',
    original: { mergingList: [{ name: '1' }, { name: '2', value: 'b' }, { name: '3' }] },
    patch: { mergingList: [{ name: '3', value: 'c' }, { name: '1', value: 'a' }, { name: '2', other: 'x' }] },
    want: { mergingList: [{ name: '3', value: 'c' }, { name: '1', value: 'a' }, { name: '2', value: 'b', other: 'x' }] },
  },
  {
    name: 'preserve the order from the patch in a merging list 2',
    original: { mergingList: [{ name: '1' }, { name: '2', value: 'b' }, { name: '3' }] },
    patch: { mergingList: [{ name: '3', value: 'c' }, { name: '1', value: 'a' }] },
    want: { mergingList: [{ name: '2', value: 'b' }, { name: '3', value: 'c' }, { name: '1', value: 'a' }] },
  },
  { name: 'preserve the order from the patch in a merging int list', original: { mergingIntList: [1, 2, 3] }, patch: { mergingIntList: [3, 1, 2] }, want: { mergingIntList: [3, 1, 2] } },
  { name: 'preserve the order from the patch in a partial merging int list', original: { mergingIntList: [1, 2, 3] }, patch: { mergingIntList: [3, 1] }, want: { mergingIntList: [2, 3, 1] } },
  {
    name: '$setElementOrder contains item that is not present in the list to be merged',
    original: { mergingList: [{ name: '1' }, { name: '3' }] },
    patch: { '$setElementOrder/mergingList': [{ name: '3' }, { name: '2' }, { name: '1' }], mergingList: [{ name: '3', value: '3' }, { name: '1', value: '1' }] },
    want: { mergingList: [{ name: '3', value: '3' }, { name: '1', value: '1' }] },
  },
  { name: '$setElementOrder contains item that is not present in the int list to be merged', original: { mergingIntList: [1, 3] }, patch: { '$setElementOrder/mergingIntList': [3, 2, 1] }, want: { mergingIntList: [3, 1] } },
  { name: 'nil original', original: {}, patch: { name: '1', value: '1' }, want: { name: '1', value: '1' } },
  { name: 'add field and delete field from map', original: { name: '1', other: 'a' }, patch: { name: null, value: '1' }, want: { other: 'a', value: '1' } },
  { name: 'delete field from nested map', original: { simpleMap: { key1: '1', key2: '1', other: 'a' } }, patch: { simpleMap: { key2: null } }, want: { simpleMap: { key1: '1', other: 'a' } } },
  { name: 'replace list of scalars', original: { nonMergingIntList: [1, 2] }, patch: { nonMergingIntList: [2, 3] }, want: { nonMergingIntList: [2, 3] } },
  {
    name: 'delete all maps from merging list with conflict',
    original: { mergingList: [{ name: '1', other: 'a' }, { name: '2', other: 'b' }] },
    patch: { mergingList: [{ name: '1', $patch: 'delete' }, { name: '2', $patch: 'delete' }] },
    want: { mergingList: [] },
  },
  { name: 'delete all maps from empty merging list', original: { mergingList: [] }, patch: { mergingList: [{ name: '1', $patch: 'delete' }, { name: '2', $patch: 'delete' }] }, want: { mergingList: [] } },
  { name: 'defined null values should propagate overwrite current fields', original: { name: 'a', other: 'a' }, patch: { name: '1', value: '1', other: null }, want: { name: '1', value: '1' } },
  {
    name: 'nil patch with retainKeys map',
    original: { name: 'a', value: 'b', retainKeysMap: { name: 'foo' } }, patch: {},
    want: { name: 'a', value: 'b', retainKeysMap: { name: 'foo' } },
  },
  {
    name: 'delete items in lists of scalars',
    original: { mergingIntList: [1, 2, 3, 4] },
    patch: { '$setElementOrder/mergingIntList': [1, 2], '$deleteFromPrimitiveList/mergingIntList': [3] },
    want: { mergingIntList: [1, 2, 4] },
  },
  {
    name: 'delete all duplicate items in lists of scalars',
    original: { mergingIntList: [1, 2, 3, 3, 4] },
    patch: { '$setElementOrder/mergingIntList': [1, 2], '$deleteFromPrimitiveList/mergingIntList': [3] },
    want: { mergingIntList: [1, 2, 4] },
  },
  {
    name: 'add and delete items in lists of scalars',
    original: { mergingIntList: [1, 2, 3] },
    patch: { '$setElementOrder/mergingIntList': [1, 2, 4], '$deleteFromPrimitiveList/mergingIntList': [3], mergingIntList: [4] },
    want: { mergingIntList: [1, 2, 4] },
  },
  {
    name: 'merge lists of maps',
    original: { mergingList: [{ name: '1', other: 'a' }, { name: '2', value: '2', other: 'b' }] },
    patch: { '$setElementOrder/mergingList': [{ name: '4' }, { name: '1' }, { name: '2' }, { name: '3' }], mergingList: [{ name: '4', value: '4' }, { name: '3', value: '3' }] },
    want: { mergingList: [{ name: '4', value: '4' }, { name: '1', other: 'a' }, { name: '2', value: '2', other: 'b' }, { name: '3', value: '3' }] },
  },
  {
    name: 'merge lists of maps with conflict',
    original: { mergingList: [{ name: '1', other: 'a' }, { name: '2', value: '3', other: 'b' }] },
    patch: { '$setElementOrder/mergingList': [{ name: '1' }, { name: '2' }, { name: '3' }], mergingList: [{ name: '2', value: '2' }, { name: '3', value: '3' }] },
    want: { mergingList: [{ name: '1', other: 'a' }, { name: '2', value: '2', other: 'b' }, { name: '3', value: '3' }] },
  },
  {
    name: 'add field to map in merging list',
    original: { mergingList: [{ name: '1', other: 'a' }, { name: '2', value: '2', other: 'b' }] },
    patch: { '$setElementOrder/mergingList': [{ name: '1' }, { name: '2' }], mergingList: [{ name: '1', value: '1' }] },
    want: { mergingList: [{ name: '1', other: 'a', value: '1' }, { name: '2', value: '2', other: 'b' }] },
  },
  {
    name: 'retainKeys clears the fields the directive does not list',
    original: { retainKeysMap: { name: 'foo', value: 'a', other: 'b' } },
    patch: { retainKeysMap: { $retainKeys: ['name', 'other'], other: 'c' } },
    want: { retainKeysMap: { name: 'foo', other: 'c' } },
  },
  { name: 'a replace-strategy field is replaced whole', original: { replacingItem: { a: 1, b: 2 } }, patch: { replacingItem: { c: 3 } }, want: { replacingItem: { c: 3 } } },
  { name: 'a merge-strategy pointer field merges as a map', original: { mergeItemPtr: { name: 'x', value: 'a' } }, patch: { mergeItemPtr: { other: 'b' } }, want: { mergeItemPtr: { name: 'x', value: 'a', other: 'b' } } },
  {
    name: 'a new list in the patch loses its directives and nulls',
    original: {},
    patch: { mergingList: [{ name: '1', value: null }, { name: '2', $patch: 'delete' }], '$setElementOrder/mergingList': [{ name: '1' }] },
    want: { mergingList: [{ name: '1' }] },
  },
];

for (const c of upstream) {
  test(c.name, () => {
    const before = structuredClone(c.original);
    assert.deepEqual(smp(c.original, c.patch), c.want);
    assert.deepEqual(c.original, before, 'the original is not modified');
  });
}

// A Deployment-like schema with the patch metadata of the real types.
const ref = (n: string): Schema => ({ $ref: `#/components/schemas/${n}` });
const deployLookup = lookupOf({
  Deployment: {
    properties: {
      metadata: { allOf: [ref('ObjectMeta')] },
      spec: { properties: { replicas: { type: 'integer' }, template: { properties: { spec: ref('PodSpec') } } } },
    },
  },
  ObjectMeta: {
    properties: {
      labels: { type: 'object', additionalProperties: { type: 'string' } },
      finalizers: { type: 'array', items: { type: 'string' }, 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-list-type': 'set' },
    },
  },
  PodSpec: {
    properties: {
      containers: { type: 'array', items: ref('Container'), 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge' },
      volumes: { type: 'array', items: ref('Volume'), 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge,retainKeys' },
      tolerations: { type: 'array', items: { type: 'object' } },
    },
  },
  Container: {
    properties: {
      name: { type: 'string' }, image: { type: 'string' },
      args: { type: 'array', items: { type: 'string' } },
      env: { type: 'array', items: ref('EnvVar'), 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge' },
    },
  },
  EnvVar: { properties: { name: { type: 'string' }, value: { type: 'string' } } },
  Volume: { properties: { name: { type: 'string' }, emptyDir: { type: 'object' }, configMap: { type: 'object' } } },
}, { 'apps/v1|Deployment': 'Deployment' });
const deploy = { schemas: deployLookup, apiVersion: 'apps/v1', kind: 'Deployment' };
const podSpec = (spec: JSONObject): JSONObject => ({ spec: { template: { spec } } });

const k8s: { name: string; original: JSONObject; patch: JSONObject; want: JSONObject }[] = [
  {
    name: 'kubectl set image changes one container and keeps the others',
    original: podSpec({ containers: [{ name: 'app', image: 'a:1', args: ['x'] }, { name: 'sidecar', image: 's:1' }] }),
    patch: podSpec({ containers: [{ name: 'app', image: 'a:2' }] }),
    want: podSpec({ containers: [{ name: 'app', image: 'a:2', args: ['x'] }, { name: 'sidecar', image: 's:1' }] }),
  },
  {
    name: 'a container is deleted by its merge key',
    original: podSpec({ containers: [{ name: 'app', image: 'a:1' }, { name: 'sidecar', image: 's:1' }] }),
    patch: podSpec({ containers: [{ name: 'sidecar', $patch: 'delete' }] }),
    want: podSpec({ containers: [{ name: 'app', image: 'a:1' }] }),
  },
  {
    name: 'a list without a patch strategy is replaced',
    original: podSpec({ containers: [{ name: 'app', args: ['a', 'b'] }], tolerations: [{ key: 'k' }] }),
    patch: podSpec({ containers: [{ name: 'app', args: ['c'] }], tolerations: [{ key: 'j' }] }),
    want: podSpec({ containers: [{ name: 'app', args: ['c'] }], tolerations: [{ key: 'j' }] }),
  },
  {
    name: 'finalizers merge as a set and are removed with $deleteFromPrimitiveList',
    original: { metadata: { finalizers: ['a', 'b'] } },
    patch: { metadata: { finalizers: ['c', 'a'], '$deleteFromPrimitiveList/finalizers': ['b'] } },
    want: { metadata: { finalizers: ['c', 'a'] } },
  },
  {
    name: 'kubectl apply orders env with $setElementOrder',
    original: podSpec({ containers: [{ name: 'app', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }] }),
    patch: podSpec({
      '$setElementOrder/containers': [{ name: 'app' }],
      containers: [{ name: 'app', '$setElementOrder/env': [{ name: 'C' }, { name: 'B' }, { name: 'A' }], env: [{ name: 'C', value: '3' }] }],
    }),
    want: podSpec({ containers: [{ name: 'app', env: [{ name: 'C', value: '3' }, { name: 'B', value: '2' }, { name: 'A', value: '1' }] }] }),
  },
  {
    name: 'a volume switched from emptyDir to configMap drops emptyDir via $retainKeys',
    original: podSpec({ volumes: [{ name: 'v', emptyDir: {} }] }),
    patch: podSpec({ volumes: [{ name: 'v', $retainKeys: ['configMap', 'name'], configMap: { name: 'cm' } }] }),
    want: podSpec({ volumes: [{ name: 'v', configMap: { name: 'cm' } }] }),
  },
  {
    name: 'null deletes a label and a field',
    original: { metadata: { labels: { app: 'web', tier: 'front' } }, spec: { replicas: 3 } },
    patch: { metadata: { labels: { tier: null } }, spec: { replicas: null } },
    want: { metadata: { labels: { app: 'web' } }, spec: {} },
  },
];

for (const c of k8s) {
  test(c.name, () => assert.deepEqual(applyStrategicMergePatch(c.original, c.patch, deploy), c.want));
}

const errors: { name: string; original: JSONObject; patch: unknown; code: number; message: string }[] = [
  {
    name: 'a merging list item without its merge key is a 500 naming the key',
    original: { mergingList: [{ name: '1', value: 'a' }] }, patch: { mergingList: [{ value: 'b' }] },
    code: 500, message: 'map: map[value:b] does not contain declared merge key: name',
  },
  {
    name: 'a patch list out of $setElementOrder order is rejected',
    original: { mergingList: [{ name: '1' }, { name: '3' }, { name: '2' }] },
    patch: { '$setElementOrder/mergingList': [{ name: '1' }, { name: '2' }, { name: '3' }], mergingList: [{ name: '3', value: '3' }, { name: '1', value: '1' }] },
    code: 500, message: "the order in patch list:\n[map[name:3 value:3] map[name:1 value:1]]\n doesn't match $setElementOrder list:\n[map[name:1] map[name:2] map[name:3]]",
  },
  {
    name: 'a field missing from $retainKeys is 400',
    original: { retainKeysMap: { name: 'a' } }, patch: { retainKeysMap: { $retainKeys: ['name'], value: 'b' } },
    code: 400, message: 'invalid patch format of retainKeys',
  },
  { name: 'an unknown $patch directive is a 500', original: { simpleMap: {} }, patch: { simpleMap: { $patch: 'frob' } }, code: 500, message: 'unknown patch type: frob in map: map[$patch:frob]' },
  { name: 'a list of lists is 422', original: { mergingIntList: [[1]] }, patch: { mergingIntList: [[2]] }, code: 422, message: 'the server rejected our request due to an error in our request' },
  { name: 'an array body is 400', original: {}, patch: [], code: 400, message: 'json: cannot unmarshal array into Go value of type map[string]interface {}' },
];

for (const c of errors) {
  test(c.name, () => {
    assert.throws(() => smp(c.original, c.patch), (e: unknown) => {
      assert.ok(e instanceof StatusError);
      assert.equal(e.code, c.code);
      assert.equal(e.status.message, c.message);
      return true;
    });
  });
}

test('custom resources answer 415 with the media types they accept', () => {
  assert.throws(() => applyStrategicMergePatch({}, {}, { ...mergeItem, customResource: true }), (e: unknown) =>
    e instanceof StatusError && e.code === 415 && e.reason === 'UnsupportedMediaType' &&
    e.status.message === 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
});

test('a kind without a schema gets JSON merge patch semantics', () => {
  const got = applyStrategicMergePatch({ spec: { items: [{ name: 'a' }], x: 1 } }, { spec: { items: [{ name: 'b' }], x: null } },
    { schemas: deployLookup, apiVersion: 'example.com/v1', kind: 'Widget' });
  assert.deepEqual(got, { spec: { items: [{ name: 'b' }] } });
});
