import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StatusError } from '../errors.js';
import type { JSONValue } from './json.js';
import { applyMergePatch } from './merge-patch.js';

// RFC 7386 appendix A, on object targets, plus the cases upstream's library treats its own way.
const cases: { name: string; doc: JSONValue; patch: JSONValue; want: JSONValue }[] = [
  { name: 'a member is replaced', doc: { a: 'b' }, patch: { a: 'c' }, want: { a: 'c' } },
  { name: 'a member is added', doc: { a: 'b' }, patch: { b: 'c' }, want: { a: 'b', b: 'c' } },
  { name: 'null removes a member', doc: { a: 'b' }, patch: { a: null }, want: {} },
  { name: 'null removes one member of several', doc: { a: 'b', b: 'c' }, patch: { a: null }, want: { b: 'c' } },
  { name: 'an array replaces a scalar', doc: { a: ['b'] }, patch: { a: 'c' }, want: { a: 'c' } },
  { name: 'a scalar replaces an array', doc: { a: 'c' }, patch: { a: ['b'] }, want: { a: ['b'] } },
  { name: 'nested objects merge and nested null removes', doc: { a: { b: 'c' } }, patch: { a: { b: 'd', c: null } }, want: { a: { b: 'd' } } },
  { name: 'arrays are replaced, not merged', doc: { a: [{ b: 'c' }] }, patch: { a: [1] }, want: { a: [1] } },
  { name: 'nulls inside a new object are dropped', doc: { e: null }, patch: { a: 1, b: { c: null, d: 2 } }, want: { e: null, a: 1, b: { d: 2 } } },
  { name: 'an empty patch changes nothing', doc: { a: { b: 1 } }, patch: {}, want: { a: { b: 1 } } },
  { name: 'an object replaces a scalar member', doc: { a: 'foo' }, patch: { a: { bb: { ccc: null } } }, want: { a: { bb: {} } } },
  {
    name: 'a label is removed and the image changed on a pod',
    doc: { metadata: { labels: { app: 'web', tier: 'front' } }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } },
    patch: { metadata: { labels: { tier: null } }, spec: { containers: [{ name: 'c', image: 'nginx:2' }] } },
    want: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx:2' }] } },
  },
];

for (const c of cases) {
  test(c.name, () => {
    const before = structuredClone(c.doc);
    assert.deepEqual(applyMergePatch(c.doc, c.patch), c.want);
    assert.deepEqual(c.doc, before);
  });
}

for (const patch of [null, 5, 'x']) {
  test(`a ${JSON.stringify(patch)} body is 400 Invalid JSON Patch`, () => {
    assert.throws(() => applyMergePatch({ a: 1 }, patch), (e: unknown) =>
      e instanceof StatusError && e.code === 400 && e.status.message === 'Invalid JSON Patch');
  });
}
