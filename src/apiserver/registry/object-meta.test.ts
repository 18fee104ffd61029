import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeForStore } from './object-meta.js';

test('encodeForStore drops empty ObjectMeta maps and lists and never stores resourceVersion', () => {
  const obj: any = { kind: 'ConfigMap', metadata: { name: 'x', resourceVersion: '5', labels: {}, annotations: { a: '1' }, finalizers: [], ownerReferences: [] } };
  assert.deepEqual(JSON.parse(encodeForStore(obj)), { kind: 'ConfigMap', metadata: { name: 'x', annotations: { a: '1' } } });
  assert.deepEqual(obj.metadata, { name: 'x', resourceVersion: '5', annotations: { a: '1' } }, 'the object handed back matches what is stored');
});
