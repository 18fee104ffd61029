import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JSONObject } from '../patch/json.js';
import { decodeFieldsV1, encodeFieldsV1, pathString } from './fieldpath.js';

const roundTrips: { name: string; fieldsV1: JSONObject; paths: string[] }[] = [
  { name: 'a scalar leaf', fieldsV1: { 'f:spec': { 'f:replicas': {} } }, paths: ['.spec.replicas'] },
  {
    name: 'a keyed list item that owns itself and a field',
    fieldsV1: { 'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } },
    paths: ['.spec.containers[name="nginx"]', '.spec.containers[name="nginx"].image', '.spec.containers[name="nginx"].name'],
  },
  {
    name: 'a multi-key item and a set item',
    fieldsV1: { 'f:metadata': { 'f:finalizers': { 'v:"example.com/x"': {} } }, 'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': {} } },
    paths: ['.metadata.finalizers[="example.com/x"]', '.ports[containerPort=80,protocol="TCP"]'],
  },
];

for (const c of roundTrips) {
  test(`FieldsV1 round trip: ${c.name}`, () => {
    const set = decodeFieldsV1(c.fieldsV1);
    assert.deepEqual(encodeFieldsV1(set), c.fieldsV1);
    assert.deepEqual(set.paths().map(pathString), c.paths);
  });
}

test('set algebra keeps only non-empty branches', () => {
  const a = decodeFieldsV1({ 'f:a': {}, 'f:b': { 'f:c': {}, 'f:d': {} } });
  const b = decodeFieldsV1({ 'f:b': { 'f:c': {} } });
  assert.deepEqual(encodeFieldsV1(a.difference(b)), { 'f:a': {}, 'f:b': { 'f:d': {} } });
  assert.deepEqual(encodeFieldsV1(a.intersection(b)), { 'f:b': { 'f:c': {} } });
  assert.deepEqual(encodeFieldsV1(b.union(decodeFieldsV1({ 'f:z': {} }))), { 'f:b': { 'f:c': {} }, 'f:z': {} });
  assert.ok(b.difference(a).isEmpty());
});
