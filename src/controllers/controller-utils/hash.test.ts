import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalJSON, computeHash, fnv32a, pruneEmpty, safeEncodeString } from './hash.js';

const bytes = (s: string) => Buffer.from(s, 'utf8');

test('fnv32a matches the published FNV-1a 32-bit test vectors', () => {
  assert.equal(fnv32a(bytes('')), 0x811c9dc5);
  assert.equal(fnv32a(bytes('a')), 0xe40c292c);
  assert.equal(fnv32a(bytes('foobar')), 0xbf9cf968);
  // Writing in two parts continues the same hash, as hash.Hash32.Write does.
  assert.equal(fnv32a(bytes('bar'), fnv32a(bytes('foo'))), 0xbf9cf968);
});

test('safeEncodeString maps each byte modulo 27 into the vowel-free alphabet', () => {
  // '1'=49→22 '2'=50→23 '3'=51→24 '4'=52→25 '0'=48→21
  assert.equal(safeEncodeString('12340'), '56784');
  assert.match(safeEncodeString('4294967295'), /^[bcdfghjklmnpqrstvwxz2456789]{10}$/);
});

test('canonicalJSON sorts keys and drops undefined members', () => {
  assert.equal(canonicalJSON({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } }), '{"a":{"d":[1,{"y":2,"z":1}]},"b":1}');
});

const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } };

test('computeHash is FNV-32a of the canonical JSON, safe-encoded', () => {
  assert.equal(computeHash(template), safeEncodeString(String(fnv32a(bytes(canonicalJSON(template))))));
  assert.equal(computeHash(template), computeHash({ spec: template.spec, metadata: template.metadata }));
});

test('computeHash differs by collisionCount (nil, 0, 1, 2), as upstream TestComputeHash requires', () => {
  const hashes = [undefined, 0, 1, 2].map((c) => computeHash(template, c));
  assert.equal(new Set(hashes).size, 4);
  const withOne = fnv32a(new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0]), fnv32a(bytes(canonicalJSON(template))));
  assert.equal(computeHash(template, 1), safeEncodeString(String(withOne)));
});

test('computeHash changes with the image', () => {
  const other = structuredClone(template);
  other.spec.containers[0].image = 'nginx:2';
  assert.notEqual(computeHash(template), computeHash(other));
});

test('pruneEmpty drops nulls, empty objects and arrays, so equivalent templates hash alike', () => {
  assert.deepEqual(pruneEmpty({ a: null, b: {}, c: [], d: { e: [{}] }, f: 0, g: '', h: false }), { f: 0, g: '', h: false });
  const sent = { metadata: { creationTimestamp: null, labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx:1', resources: {} }] } };
  assert.equal(computeHash(sent), computeHash(template));
});
